#!/usr/bin/python3
"""validate.py SCHEMA[#DEF] INSTANCE...: checks the schema itself, then each JSON instance
against it (or against its $defs/DEF); prints the first violation and exits 1. Uses
Debian's python3-jsonschema."""
import json
import sys

import jsonschema


def main():
    path, _, definition = sys.argv[1].partition("#")
    schema = json.load(open(path))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    if definition:
        if definition not in schema.get("$defs", {}):
            print(f"{path}: no $defs/{definition}", file=sys.stderr)
            return 1
        schema = dict(schema, **{"$ref": f"#/$defs/{definition}"})
    validator = cls(schema)
    for path in sys.argv[2:]:
        errors = sorted(validator.iter_errors(json.load(open(path))), key=str)
        if errors:
            print(f"{path}: {errors[0].message} at {list(errors[0].absolute_path)}", file=sys.stderr)
            return 1
    return 0


sys.exit(main())
