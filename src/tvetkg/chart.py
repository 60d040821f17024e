"""Drawing the catalogue's coverage by year (`coverage-by-year`) as a picture: activities and participants
per year, stacked by cooperation area of the roadmap, with matplotlib."""

from pathlib import Path

from tvetkg.draw import PALETTE

NO_AREA = {"en": "no cooperation area (before the roadmap, or not stated)", "fr": "sans domaine de coopération",
           "ar": "دون مجال تعاون"}
TITLES = {"en": ("Activities per year", "Participants per year (where the sources count them)"),
          "fr": ("Activités par année", "Participants par année (là où les sources les comptent)"),
          "ar": ("الأنشطة في كل سنة", "المشاركون في كل سنة (حيث تذكر المصادر عددهم)")}


def coverage_by_year(rows: list[dict], paths: list[Path], lang: str = "en") -> list[Path]:
    """Two stacked bar charts of `coverage-by-year`'s rows ({year, notation, area, activities, participants}),
    saved in each file's format (.png, .svg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.family"] = "DejaVu Sans"
    plt.rcParams["svg.hashsalt"] = "tvet-kg"  # stable SVG ids: the same rows, the same file
    years = sorted({int(r["year"]) for r in rows})
    areas = sorted({(r.get("notation") or "", r.get("area") or "") for r in rows})
    figure, axes = plt.subplots(2, 1, figsize=(11, 7.5), sharex=True)
    for axis, measure, title in zip(axes, ("activities", "participants"), TITLES.get(lang, TITLES["en"])):
        bottom = [0] * len(years)
        for index, (notation, name) in enumerate(areas):
            values = [sum(int(r.get(measure) or 0) for r in rows if int(r["year"]) == year
                          and (r.get("notation") or "") == notation) for year in years]
            label = f"{notation}. {name}" if notation else NO_AREA.get(lang, NO_AREA["en"])
            axis.bar(years, values, bottom=bottom, label=label,
                     color=PALETTE[index - 1] if notation else "#b0b0b0", edgecolor="white", linewidth=0.5)
            bottom = [b + v for b, v in zip(bottom, values)]
        axis.set_title(title, loc="left", fontsize=11)
        axis.spines[["top", "right"]].set_visible(False)
        axis.yaxis.grid(True, color="#e5e5e5")
        axis.set_axisbelow(True)
    axes[1].set_xticks(years, [str(y) for y in years], rotation=45)
    axes[0].legend(fontsize=8, frameon=False, loc="upper left")
    figure.tight_layout()
    for path in map(Path, paths):  # each picture whole or not at all: written beside, then renamed
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        fmt = path.suffix[1:]
        figure.savefig(partial, format=fmt, dpi=110, metadata={"Date": None} if fmt == "svg" else None)
        partial.replace(path)
    plt.close(figure)
    return [Path(p) for p in paths]
