// jsoncpp-canon.cc -- prints a JSON file the way aktualizr canonicalises it.
//
// aktualizr parses metadata with jsoncpp and re-serialises it with a
// Json::StreamWriterBuilder whose indentation is "" (compact; object keys
// in jsoncpp's std::map order, i.e. sorted by byte; control characters and
// non-ASCII escaped) before it verifies signatures over `signed` and
// hashes files. test-only: t-tuf-foundries.sh compares wavesign's bytes
// with this program's.
//
//   jsoncpp-canon FILE            the whole document
//   jsoncpp-canon --signed FILE   its "signed" member (the bytes signatures cover)
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <json/json.h>

int
main(int argc, char **argv)
{
	bool signed_only = false;
	std::string path;

	if (argc == 3 && std::string(argv[1]) == "--signed") {
		signed_only = true;
		path = argv[2];
	} else if (argc == 2) {
		path = argv[1];
	} else {
		std::cerr << "usage: jsoncpp-canon [--signed] FILE\n";
		return 2;
	}
	std::ifstream in(path, std::ios::binary);
	if (!in) {
		std::cerr << path << ": cannot open\n";
		return 1;
	}
	Json::CharReaderBuilder reader;
	Json::Value value;
	std::string errors;
	if (!Json::parseFromStream(reader, in, &value, &errors)) {
		std::cerr << path << ": " << errors << "\n";
		return 1;
	}
	if (signed_only)
		value = value["signed"];
	Json::StreamWriterBuilder writer;
	writer["indentation"] = "";
	std::cout << Json::writeString(writer, value);
	return 0;
}
