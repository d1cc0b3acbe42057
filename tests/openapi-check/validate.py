"""Validates an OpenAPI document (JSON on stdin) with openapi-spec-validator, a validator
Fieldline does not write. Prints every error, one per line, and exits 1 if there are any."""

import json
import sys

from openapi_spec_validator import OpenAPIV31SpecValidator


def main() -> int:
    spec = json.load(sys.stdin)
    errors = list(OpenAPIV31SpecValidator(spec).iter_errors())
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path)
        print(f"{where}: {e.message}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
