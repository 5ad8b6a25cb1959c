"""Aggregate the raw admissions extract to region x ISO week.

Usage: python code/aggregate.py extract.csv > derived/admissions-by-week.csv
Rows with fewer than 10 admissions are suppressed before anything leaves this script.
"""
import csv
import sys
from collections import Counter

MIN_CELL = 10

counts = Counter()
with open(sys.argv[1], newline="") as f:
    for row in csv.DictReader(f):
        counts[(row["iso_week"], row["region"])] += 1

writer = csv.writer(sys.stdout)
writer.writerow(["iso_week", "region", "admissions"])
for (week, region), n in sorted(counts.items()):
    if n >= MIN_CELL:
        writer.writerow([week, region, n])
