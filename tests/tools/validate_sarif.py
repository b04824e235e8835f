"""Validate JSON documents against a JSON Schema (draft 4, as the SARIF 2.1.0 schemas are).

Usage: validate_sarif.py SCHEMA DOCUMENT...
Prints one line per violation (`DOCUMENT: /pointer: message`) and exits 1 when there is any,
0 when every document is valid. Formats the installed jsonschema can check are checked.
"""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    failed = False
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
            pointer = "".join(f"/{p}" for p in error.absolute_path)
            print(f"{path}: {pointer}: {error.message}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
