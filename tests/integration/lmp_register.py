#!/usr/bin/env python3
"""lmp_register.py -- test tooling: a registration client that sends exactly
what lmp-device-register sends (COMPAT.md section 2a).

usage:
  lmp_register.py keygen DIR UUID FACTORY [--production]
        an EC P-256 key (DIR/pkey.pem) and a CSR (DIR/device.csr) made as
        lmp-device-register's openssl_create_csr() makes them: subject
        CN=UUID, OU=FACTORY [, businessCategory=production]; keyUsage
        digitalSignature and extendedKeyUsage clientAuth, both critical;
        signed with SHA-256
  lmp_register.py head URL
        the health check (HEAD, no credentials); prints the status
  lmp_register.py register URL TOKEN DIR UUID [options]
        HEAD, then the POST with the body and headers lmp-device-register
        sends; prints the status on the first line and the body after it;
        on 201 writes each member of the answer into DIR (as the tool does).
        --hwid ID           hardware-id (default intel-corei7-64)
        --name NAME         device name (default: UUID)
        --sota-dir DIR      sota-config-dir (default /var/sota)
        --tags TAGS         overrides.pacman.tags (default master)
        --group G           device group (-g)
        --hsm               the HSM overrides (tls/storage/import)
        --header H          the token header (-H; default OSF-TOKEN)
        --bearer            send the token as Authorization: Bearer
        --no-token          send no token header
        --body FILE         send FILE's bytes as the body instead
        --cafile F, --cert F, --key F   HTTPS: trust F; client certificate
  lmp_register.py raw URL TOKEN METHOD [BODY_FILE]
        one request of any method with the token header; prints status and body
"""
import http.client
import json
import os
import ssl
import sys
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def keygen(outdir, uuid, factory, production):
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.NameAttribute(NameOID.COMMON_NAME, uuid),
             x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, factory)]
    if production:
        names.append(x509.NameAttribute(NameOID.BUSINESS_CATEGORY, "production"))
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name(names))
           .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                        key_encipherment=False, data_encipherment=False,
                                        key_agreement=False, key_cert_sign=False, crl_sign=False,
                                        encipher_only=False, decipher_only=False), critical=True)
           .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=True)
           .sign(key, hashes.SHA256()))
    with open(os.path.join(outdir, "pkey.pem"), "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    with open(os.path.join(outdir, "device.csr"), "wb") as f:
        f.write(csr.public_bytes(serialization.Encoding.PEM))


def ptree_json(tree, indent=0):
    """boost::property_tree::write_json: every leaf a string, '/' escaped as
    '\\/', 4-space indentation -- what lmp-device-register puts on the wire."""
    pad = "    " * (indent + 1)
    items = []
    for key, value in tree.items():
        if isinstance(value, dict):
            items.append('%s"%s": %s' % (pad, key, ptree_json(value, indent + 1)))
        else:
            text = (value.replace("\\", "\\\\").replace('"', '\\"').replace("/", "\\/")
                    .replace("\n", "\\n").replace("\t", "\\t"))
            items.append('%s"%s": "%s"' % (pad, key, text))
    return "{\n" + ",\n".join(items) + "\n" + "    " * indent + "}"


def connection(url, opts):
    u = urllib.parse.urlsplit(url)
    if u.scheme == "https":
        ctx = ssl.create_default_context(cafile=opts.get("cafile"))
        ctx.check_hostname = False
        if opts.get("cert"):
            ctx.load_cert_chain(opts["cert"], opts["key"])
        return http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=60), u.path
    return http.client.HTTPConnection(u.hostname, u.port, timeout=60), u.path


def request(url, method, body, headers, opts):
    conn, path = connection(url, opts)
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def parse_opts(args):
    opts = {}
    flags = {"--hsm", "--bearer", "--no-token"}
    i = 0
    while i < len(args):
        a = args[i]
        if a in flags:
            opts[a[2:]] = True
            i += 1
        else:
            opts[a[2:]] = args[i + 1]
            i += 2
    return opts


def register(url, token, outdir, uuid, opts):
    status, _ = request(url, "HEAD", None, {}, opts)
    if status >= 500:
        print(status)
        print("health check failed")
        return
    with open(os.path.join(outdir, "device.csr")) as f:
        csr = f.read()
    sota_dir = opts.get("sota-dir", "/var/sota")
    dev = {"use-ostree-server": "true", "sota-config-dir": sota_dir,
           "hardware-id": opts.get("hwid", "intel-corei7-64"), "name": opts.get("name", uuid),
           "uuid": uuid, "csr": csr}
    overrides = {}
    if opts.get("hsm"):
        overrides["tls"] = {"pkey_source": '"pkcs11"', "cert_source": '"pkcs11"'}
        overrides["storage"] = {"tls_pkey_path": "", "tls_clientcert_path": ""}
        overrides["import"] = {"tls_pkey_path": "", "tls_clientcert_path": ""}
    if "group" in opts:
        dev["group"] = opts["group"]
    tags = opts.get("tags", "master")
    if tags:
        overrides.setdefault("pacman", {})["tags"] = '"%s"' % tags
    if overrides:
        dev["overrides"] = overrides
    if "body" in opts:
        with open(opts["body"], "rb") as f:
            body = f.read()
    else:
        body = ptree_json(dev).encode()
    headers = {"Content-type": "application/json"}
    if not opts.get("no-token"):
        if opts.get("bearer"):
            headers["Authorization"] = "Bearer " + token
        else:
            headers[opts.get("header", "OSF-TOKEN")] = token
    status, data = request(url, "POST", body, headers, opts)
    print(status)
    print(data.decode(errors="replace"))
    if status == 201:
        for name, content in json.loads(data).items():
            with open(os.path.join(outdir, name), "w") as f:
                f.write(content)


def main():
    mode = sys.argv[1]
    if mode == "keygen":
        keygen(sys.argv[2], sys.argv[3], sys.argv[4], "--production" in sys.argv[5:])
    elif mode == "head":
        status, _ = request(sys.argv[2], "HEAD", None, {}, parse_opts(sys.argv[3:]))
        print(status)
    elif mode == "register":
        register(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], parse_opts(sys.argv[6:]))
    elif mode == "raw":
        body = open(sys.argv[5], "rb").read() if len(sys.argv) > 5 else None
        status, data = request(sys.argv[2], sys.argv[4], body, {"OSF-TOKEN": sys.argv[3]}, {})
        print(status)
        print(data.decode(errors="replace"))
    else:
        raise SystemExit(__doc__)


main()
