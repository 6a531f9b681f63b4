"""Write the small reference extracts used by tests/derive (run once; the output is committed).

Source: /work/shared/refdata (pharmaverse CSVs converted from the upstream .rda files, see its
README: pharmaverseadam commit 2c7db61b, tern commit eab2bd71, both Apache-2.0). Only rows and
columns are selected here; no value is changed.

    python tests/derive/data/extract_refdata.py /work/shared/refdata
"""

import sys
from pathlib import Path

import pandas as pd

root = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/refdata")
here = Path(__file__).parent
adam = root / "pharmaverse" / "pharmaverseadam"
tern = root / "pharmaverse" / "tern"

adsl = pd.read_csv(adam / "adsl.csv", dtype=str)
adsl[["USUBJID", "RANDDT", "LSTALVDT", "DTHDT"]].to_csv(here / "pv_adsl.csv", index=False)

adrs = pd.read_csv(adam / "adrs_onco.csv", dtype=str)
adrs = adrs[adrs["PARAMCD"].isin(["PD", "DEATH", "LSTA", "RSP", "OVR"])]
adrs[["USUBJID", "PARAMCD", "AVALC", "ADT", "ANL01FL", "ANL02FL"]].to_csv(
    here / "pv_adrs.csv", index=False)

adtte = pd.read_csv(adam / "adtte_onco.csv", dtype=str)
adtte[["USUBJID", "PARAMCD", "STARTDT", "ADT", "AVAL", "CNSR", "EVNTDESC", "CNSDTDSC"]].to_csv(
    here / "pv_adtte_onco.csv", index=False)

adae = pd.read_csv(tern / "tern_ex_adae.csv", dtype=str)
adae[["USUBJID", "ARM", "ARMCD", "AEDECOD", "AETOXGR", "AEREL"]].to_csv(
    here / "tern_adae.csv", index=False)
tsl = pd.read_csv(tern / "tern_ex_adsl.csv", dtype=str)
tsl[["USUBJID", "ARM", "ARMCD"]].to_csv(here / "tern_adsl.csv", index=False)
exp = pd.read_csv(tern / "expected_values_R_survival.csv", dtype=str)
exp[exp["dataset"] == "tern_ex_adae"].to_csv(here / "tern_expected_ae.csv", index=False)
