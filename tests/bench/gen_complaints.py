#!/usr/bin/env python3
"""Synthetic complaints in the CFPB CSV layout (reports/mappings/cfpb.xml), for the import
benchmark (tests/bench/complaints.sh). Deterministic for a given --seed.

    python3 tests/bench/gen_complaints.py --rows 100000 --out FILE.csv
"""
import argparse
import csv
import datetime
import random

PRODUCTS = [
    ("Credit reporting, credit repair services, or other personal consumer reports",
     "Credit reporting"),
    ("Debt collection", "I do not know"),
    ("Credit card or prepaid card", "General-purpose credit card or charge card"),
    ("Checking or savings account", "Checking account"),
    ("Mortgage", "Conventional home mortgage"),
    ("Student loan", "Federal student loan servicing"),
    ("Money transfer, virtual currency, or money service", "Domestic (US) money transfer"),
    ("Vehicle loan or lease", "Loan"),
    ("Payday loan, title loan, or personal loan", "Installment loan"),
]
VIA = ["Web"] * 18 + ["Phone", "Referral", "Postal mail", "Fax", "Email"]
RESPONSES = ["Closed with explanation", "Closed with non-monetary relief", "In progress",
             "Closed with monetary relief"]
WORDS = ("account payment charge fee report credit loan balance late error dispute letter "
         "called bank company refund interest statement transfer card collector debt").split()
HEADER = ["Date received", "Product", "Sub-product", "Issue", "Sub-issue",
          "Consumer complaint narrative", "Company public response", "Company", "State",
          "ZIP code", "Tags", "Consumer consent provided?", "Submitted via",
          "Date sent to company", "Company response to consumer", "Timely response?",
          "Consumer disputed?", "Complaint ID"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--first-id", type=int, default=10_000_000)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    start = datetime.date(2019, 1, 1)
    with open(a.out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(HEADER)
        for i in range(a.rows):
            day = start + datetime.timedelta(days=rnd.randrange(0, 5 * 365))
            prod, sub = rnd.choice(PRODUCTS)
            narrative = ""
            if rnd.random() < 0.4:
                narrative = " ".join(rnd.choice(WORDS) for _ in range(rnd.randrange(20, 120)))
            w.writerow([day.isoformat(), prod, sub, "Incorrect information on your report",
                        "Information belongs to someone else", narrative, "",
                        "COMPANY %d" % rnd.randrange(200), "FL", "330XX", "", "Other",
                        rnd.choice(VIA), day.isoformat(), rnd.choice(RESPONSES), "Yes", "N/A",
                        str(a.first_id + i)])


if __name__ == "__main__":
    main()
