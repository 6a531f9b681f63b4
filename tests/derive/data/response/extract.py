"""Write the pharmaverse extracts used by tests/derive/test_pharmaverse_response.py.

Run once; the output CSVs next to this script are committed.

Source: /work/shared/refdata/pharmaverse (CSVs converted from the upstream .rda files, see its
README): pharmaversesdtm commit 530a5ea8 (rs/tr/tu_onco_recist) and pharmaverseadam commit
2c7db61b (adsl, adrs_onco, adtr_onco), both Apache-2.0 (c) Cytel, Roche, GSK. Only rows and
columns are selected here; no value is changed.

    python tests/derive/data/response/extract.py /work/shared/refdata
"""

import sys
from pathlib import Path

import pandas as pd

root = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/refdata") / "pharmaverse"
here = Path(__file__).parent
sdtm = root / "pharmaversesdtm"
adam = root / "pharmaverseadam"


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


rs = read(sdtm / "rs_onco_recist.csv")
rs = rs[(rs["RSEVAL"] == "INVESTIGATOR") & (rs["RSTESTCD"] == "OVRLRESP")]
rs[["USUBJID", "VISIT", "RSDTC", "RSSTRESC"]].to_csv(here / "rs_investigator.csv", index=False)

tr = read(sdtm / "tr_onco_recist.csv")
tr = tr[tr["TREVAL"] == "INVESTIGATOR"]
tr[["USUBJID", "VISIT", "TRDTC", "TRGRPID", "TRLNKID", "TRTESTCD", "TRSTRESC", "TRSTRESN"]].to_csv(
    here / "tr_investigator.csv", index=False)

tu = read(sdtm / "tu_onco_recist.csv")
tu = tu[tu["TUEVAL"] == "INVESTIGATOR"]
tu[["USUBJID", "TULNKID", "TULOC", "TUSTRESC"]].to_csv(here / "tu_investigator.csv", index=False)

adsl = read(adam / "adsl.csv")
adsl[["USUBJID", "RANDDT"]].to_csv(here / "adsl.csv", index=False)

adrs = read(adam / "adrs_onco.csv")
params = ["BOR", "CBOR", "RSP", "CRSP", "CB", "CCB", "BCP", "CBCP", "PD", "LSTA"]
adrs = adrs[adrs["PARAMCD"].isin(params)]
adrs[["USUBJID", "PARAMCD", "AVALC", "ADT"]].to_csv(here / "adrs_params.csv", index=False)

adtr = read(adam / "adtr_onco.csv")
adtr = adtr[adtr["PARAMCD"] == "SDIAM"]
adtr[["USUBJID", "AVISIT", "ADT", "AVAL", "BASE", "PCHG", "NADIR", "PCHGNAD", "PDFL",
      "ANL01FL"]].to_csv(here / "adtr_sdiam.csv", index=False)
