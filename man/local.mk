# man: mdoc pages, one per program and file format.
