#!/usr/bin/env python3
"""Independent checks of what the appliance's factory PKI issues, with
python3-cryptography (test tooling; nothing here is used by wavesign).

  pki_check.py device CERT DEVICE_CA ROOT CSR yes|no
      the device certificate: signed by DEVICE_CA (signed by ROOT), subject
      bytes equal to the CSR's, businessCategory=production present exactly
      when yes, the CSR's key, the profile's extensions, a positive serial of
      at most 159 bits; prints "ok" or raises. Given a private key file
      instead of the CSR (wavesign register keeps no CSR): the certificate's
      key is that key's and the subject is CN, OU=acme[, businessCategory].
  pki_check.py tls CERT ROOT CSR      a gateway TLS certificate
  pki_check.py crl CRL ISSUER         verifies the CRL's signature; prints
                                      "number N" and "SERIAL REASON" lines
  pki_check.py tamper IN OUT          flips the last byte of a CSR's signature
  pki_check.py oversized-csr OUT      a CSR whose subject is over 1024 bytes
  pki_check.py multivalued-csr OUT    a CSR with CN and OU in one RDN
"""
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

UUID = "0b6f4a5e-2c1d-4e8f-9a7b-3c2d1e0f9a8b"


def tlv(buf, off):
    """(tag, start of value, end of element) of the DER element at off."""
    tag = buf[off]
    n = buf[off + 1]
    off += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(buf[off:off + k], "big")
        off += k
    return tag, off, off + n


def children(buf, start, end):
    out = []
    while start < end:
        _, vstart, e = tlv(buf, start)
        out.append((start, e))
        start = e
    return out


def cert_subject_bytes(cert):
    tbs = cert.tbs_certificate_bytes
    _, vs, ve = tlv(tbs, 0)
    kids = children(tbs, vs, ve)
    # [0] version, serial, signature, issuer, validity, subject
    s, e = kids[5]
    return tbs[s:e]


def csr_subject_bytes(csr):
    info = csr.tbs_certrequest_bytes
    _, vs, ve = tlv(info, 0)
    kids = children(info, vs, ve)
    s, e = kids[1]  # version, subject
    return info[s:e]


def load_cert(path):
    return x509.load_pem_x509_certificate(open(path, "rb").read())


def verify_signed_by(cert, issuer):
    issuer.public_key().verify(cert.signature, cert.tbs_certificate_bytes,
                               ec.ECDSA(cert.signature_hash_algorithm))
    assert cert.issuer.public_bytes() == issuer.subject.public_bytes(), "issuer name"


def ext(cert, cls):
    return cert.extensions.get_extension_for_class(cls)


def check_common(cert, issuer, csr):
    assert cert.version == x509.Version.v3
    assert 0 < cert.serial_number < (1 << 159), "serial %x" % cert.serial_number
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)
    if csr is not None:
        assert cert_subject_bytes(cert) == csr_subject_bytes(csr), "subject bytes differ from the CSR's"
        spki = serialization.PublicFormat.SubjectPublicKeyInfo
        assert cert.public_key().public_bytes(serialization.Encoding.DER, spki) == \
            csr.public_key().public_bytes(serialization.Encoding.DER, spki), "key differs from the CSR's"
    bc = ext(cert, x509.BasicConstraints)
    assert bc.critical and not bc.value.ca
    ku = ext(cert, x509.KeyUsage)
    assert ku.critical and ku.value.digital_signature and not ku.value.key_cert_sign
    aki = ext(cert, x509.AuthorityKeyIdentifier).value.key_identifier
    assert aki == ext(issuer, x509.SubjectKeyIdentifier).value.digest, "AKI is not the issuer's SKI"
    ext(cert, x509.SubjectKeyIdentifier)


def cmd_device(cert_path, ca_path, root_path, csr_path, production):
    cert, ca, root = load_cert(cert_path), load_cert(ca_path), load_cert(root_path)
    verify_signed_by(root, root)
    verify_signed_by(ca, root)
    verify_signed_by(cert, ca)
    pem = open(csr_path, "rb").read()
    if b"PRIVATE KEY" in pem:
        key = serialization.load_pem_private_key(pem, None)
        spki = serialization.PublicFormat.SubjectPublicKeyInfo
        assert cert.public_key().public_bytes(serialization.Encoding.DER, spki) == \
            key.public_key().public_bytes(serialization.Encoding.DER, spki), "not the key file's key"
        want = [NameOID.COMMON_NAME, NameOID.ORGANIZATIONAL_UNIT_NAME]
        if production == "yes":
            want.append(NameOID.BUSINESS_CATEGORY)
        assert [list(rdn)[0].oid for rdn in cert.subject.rdns] == want, cert.subject
        assert all(len(list(rdn)) == 1 for rdn in cert.subject.rdns)
        assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == "acme"
        check_common(cert, ca, None)
    else:
        csr = x509.load_pem_x509_csr(pem)
        assert csr.is_signature_valid
        check_common(cert, ca, csr)
    eku = ext(cert, x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    marks = cert.subject.get_attributes_for_oid(NameOID.BUSINESS_CATEGORY)
    if production == "yes":
        assert [a.value for a in marks] == ["production"], "no businessCategory=production"
    else:
        assert marks == [], "businessCategory present on a test certificate"
    ca_bc = ext(ca, x509.BasicConstraints).value
    assert ca_bc.ca and ca_bc.path_length == 0
    # Where the library has it (45 and later): its chain builder and client
    # verifier, with the Web PKI end-entity rules relaxed where COMPAT.md §2
    # differs from them: extKeyUsage critical, no subjectAltName.
    try:
        from cryptography.x509.verification import Criticality, ExtensionPolicy, PolicyBuilder, Store
    except ImportError:
        print("ok")
        return
    import datetime

    def eku_client_auth(policy, c, value):
        assert value is not None and ExtendedKeyUsageOID.CLIENT_AUTH in list(value)

    ee = (ExtensionPolicy.webpki_defaults_ee()
          .require_present(x509.ExtendedKeyUsage, Criticality.CRITICAL, eku_client_auth)
          .may_be_present(x509.SubjectAlternativeName, Criticality.AGNOSTIC, None))
    verifier = (PolicyBuilder().store(Store([root]))
                .time(datetime.datetime.now(datetime.timezone.utc))
                .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee)
                .build_client_verifier())
    assert len(verifier.verify(cert, [ca]).chain) == 3
    print("ok")


def cmd_tls(cert_path, root_path, csr_path):
    cert, root = load_cert(cert_path), load_cert(root_path)
    csr = x509.load_pem_x509_csr(open(csr_path, "rb").read())
    verify_signed_by(cert, root)
    check_common(cert, root, csr)
    eku = ext(cert, x509.ExtendedKeyUsage)
    assert list(eku.value) == [ExtendedKeyUsageOID.SERVER_AUTH]
    san = ext(cert, x509.SubjectAlternativeName).value
    assert san == csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    print("ok")


def cmd_crl(crl_path, issuer_path):
    crl = x509.load_pem_x509_crl(open(crl_path, "rb").read())
    issuer = load_cert(issuer_path)
    assert crl.is_signature_valid(issuer.public_key()), "CRL signature"
    assert crl.issuer.public_bytes() == issuer.subject.public_bytes()
    print("number", crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number)
    for r in crl:
        try:
            reason = r.extensions.get_extension_for_class(x509.CRLReason).value.reason.name
        except x509.ExtensionNotFound:
            reason = "-"
        print("%x" % r.serial_number, reason)


def cmd_tamper(src, dst):
    pem = open(src, "rb").read()
    der = bytearray(x509.load_pem_x509_csr(pem).public_bytes(serialization.Encoding.DER))
    der[-1] ^= 0x01
    open(dst, "wb").write(der)


def new_csr(name, out):
    key = ec.generate_private_key(ec.SECP256R1())
    csr = x509.CertificateSigningRequestBuilder().subject_name(name).sign(key, hashes.SHA256())
    open(out, "wb").write(csr.public_bytes(serialization.Encoding.PEM))


def cmd_oversized(out):
    new_csr(x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, UUID),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "acme"),
        x509.NameAttribute(ObjectIdentifier("1.3.6.1.4.1.99999.1"), "x" * 1100),
    ]), out)


def cmd_multivalued(out):
    new_csr(x509.Name([x509.RelativeDistinguishedName([
        x509.NameAttribute(NameOID.COMMON_NAME, UUID),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "acme"),
    ])]), out)


def main(argv):
    cmds = {"device": cmd_device, "tls": cmd_tls, "crl": cmd_crl, "tamper": cmd_tamper,
            "oversized-csr": cmd_oversized, "multivalued-csr": cmd_multivalued}
    cmds[argv[1]](*argv[2:])


if __name__ == "__main__":
    main(sys.argv)
