"""`tvetkg template`: the spreadsheet to fill in, as CSV files and as one XLSX workbook.

The columns are those of templates/columns.csv. The workbook has an `activities`
and an `organisations` sheet, lists to choose types, modalities, statuses and
areas from, and a `columns` sheet that says what each column means.
"""

from pathlib import Path

from tvetkg.add import ACTIVITY_TYPES, ORGANISATION_TYPES, columns


def write(out_dir: Path) -> list[Path]:
    import csv

    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sheets = columns()
    written = []
    for sheet, spec in sheets.items():
        path = out_dir / f"{sheet}.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerow([c["column"] for c in spec])
        written.append(path)
    book = openpyxl.Workbook()
    book.remove(book.active)
    choices = {"type": ACTIVITY_TYPES, "modality": ("Online", "InPerson", "Hybrid"), "status": ("Held", "Planned"),
               "area": ("1", "2", "3", "4")}
    for sheet, spec in sheets.items():
        ws = book.create_sheet(sheet)
        ws.append([c["column"] for c in spec])
        ws.freeze_panes = "A2"
        for index, column in enumerate(spec, start=1):
            cell = ws.cell(row=1, column=index)
            cell.font = Font(bold=True)
            ws.column_dimensions[cell.column_letter].width = max(12, min(40, len(column["example"]) + 2))
            allowed = ORGANISATION_TYPES if (sheet, column["column"]) == ("organisations", "type") else (
                choices.get(column["column"]) if sheet == "activities" else None)
            if allowed:
                rule = DataValidation(type="list", formula1='"' + ",".join(allowed) + '"', allow_blank=True)
                rule.add(f"{cell.column_letter}2:{cell.column_letter}2000")
                ws.add_data_validation(rule)
    guide = book.create_sheet("columns")
    guide.append(["sheet", "column", "required", "meaning", "example"])
    for sheet, spec in sheets.items():
        for column in spec:
            guide.append([sheet, column["column"], column["required"], column["meaning"], column["example"]])
    path = out_dir / "tvet-activities.xlsx"
    book.save(path)
    written.append(path)
    return written
