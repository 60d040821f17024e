"""`tvetkg add` at growing sizes: rows of activities generated as a person would enter them, added to a
copy of the shipped graph (read, checked, validated with the whole graph, written), each size timed in a
fresh process. Prints a table; the time
per row shows whether the cost grows with the rows alone.

    python benchmarks/add.py --rows 1000,2000,5000,10000
"""

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORGANISERS = ["SESRIC", "IsDB", "ICESCO", "UNESCO-UNEVOC", "IUT", "KOBIA", "TOBB", "PENS"]
COUNTRIES = ["TR", "MY", "ID", "JO", "MA", "AZ", "BD", "SN", "EG", "PK"]
TYPES = ["TrainingCourse", "Workshop", "Webinar", "Meeting", "TrainingOfTrainers"]


def write_rows(path: Path, count: int) -> None:
    columns = ["type", "title_ar", "title_en", "title_fr", "start_date", "end_date", "modality", "venue_country",
               "organisers", "partners", "area", "programme", "participants", "countries", "participating_countries",
               "status", "source", "locator"]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for n in range(count):
            year, month, day = 2010 + n % 15, 1 + n % 12, 1 + n % 27
            writer.writerow([TYPES[n % len(TYPES)], f"دورة تدريبية رقم {n}", f"Benchmark training course {n}",
                             f"Cours de formation {n}", f"{year}-{month:02d}-{day:02d}", f"{year}-{month:02d}-{day + 1:02d}",
                             "Online", COUNTRIES[n % len(COUNTRIES)], ORGANISERS[n % len(ORGANISERS)],
                             ORGANISERS[(n + 3) % len(ORGANISERS)], str(1 + n % 4), "OIC-VET", str(20 + n % 100),
                             str(3 + n % 28), "; ".join(COUNTRIES[(n + k) % len(COUNTRIES)] for k in range(3)),
                             "Held", "source-oic-vet-progress-report-2024", f"benchmark row {n}"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="1000,2000,5000,10000")
    args = parser.parse_args()
    tvetkg = Path(sys.executable).with_name("tvetkg")
    print(f"tvetkg add on {os.uname().machine}, {os.cpu_count()} cores; each size in a fresh process\n")
    print(f"| rows | seconds | ms per row | exit |")
    print(f"|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for count in [int(r) for r in args.rows.split(",")]:
            kg = Path(tmp) / f"kg-{count}"
            shutil.copytree(ROOT / "kg", kg)
            rows = Path(tmp) / f"rows-{count}.csv"
            write_rows(rows, count)
            began = time.perf_counter()
            done = subprocess.run([str(tvetkg), "add", str(rows), "--kg", str(kg)],
                                  capture_output=True, text=True)
            seconds = time.perf_counter() - began
            print(f"| {count:,} | {seconds:.1f} | {1000 * seconds / count:.2f} | {done.returncode} |", flush=True)
            if done.returncode:
                print(done.stderr[-2000:], file=sys.stderr)


if __name__ == "__main__":
    main()
