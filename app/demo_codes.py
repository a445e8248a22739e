"""The coded content of the synthetic demo clinic: problems, medicines, vaccines, labs, fees.

Every code here is real: ICD-10-CM problems, RxNorm clinical drugs from
``resources/terminology/rxnorm.tsv``, CVX vaccines, LOINC tests and panels. Drug
allergies use RxNorm ingredients (penicillin G 7980, ...), as allergy lists do. Fees
use the clinic's own codes and HCPCS Level II — never CPT, which is licensed.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Chronic:
    """A long-term problem: how common it is by age band, and how it is treated and followed."""
    key: str
    code: str
    display: str
    bands: tuple[tuple[int, int, float], ...]  # (from age, to age, chance)
    female: float = 1.0  # chance multipliers by sex
    male: float = 1.0
    meds: tuple[str, ...] = ()  # RxCUIs; the first is the usual first choice
    labels: tuple[str, ...] = ()  # security labels (PSY: behavioural health)
    visits: float = 0.6  # extra visits a year it brings

    def chance(self, age: int, sex: str) -> float:
        base = next((p for lo, hi, p in self.bands if lo <= age <= hi), 0.0)
        return base * (self.female if sex == "female" else self.male)


CHRONIC: tuple[Chronic, ...] = (
    Chronic("htn", "I10", "Essential (primary) hypertension", ((18, 39, .07), (40, 59, .28), (60, 120, .52)),
            meds=("314076", "197361", "310798", "979492"), visits=1.0),
    Chronic("dm", "E11.9", "Type 2 diabetes mellitus without complications",
            ((25, 44, .04), (45, 64, .13), (65, 120, .21)), meds=("861007", "860975", "847230"), visits=1.5),
    Chronic("prediabetes", "R73.03", "Prediabetes", ((18, 120, .09),), visits=0.2),
    Chronic("lipids", "E78.5", "Hyperlipidemia, unspecified", ((30, 44, .08), (45, 120, .28)),
            meds=("617310", "312961", "859747"), visits=0.3),
    Chronic("asthma", "J45.909", "Unspecified asthma, uncomplicated", ((3, 17, .09), (18, 120, .07)),
            meds=("745752", "895996"), visits=0.6),
    Chronic("anxiety", "F41.1", "Generalized anxiety disorder", ((12, 17, .04), (18, 120, .07)),
            female=1.5, male=0.6, meds=("349332", "312941"), labels=("PSY",), visits=0.8),
    Chronic("depression", "F32.A", "Depression, unspecified", ((12, 17, .04), (18, 120, .08)),
            female=1.4, male=0.7, meds=("312941", "310385", "993541"), labels=("PSY",), visits=0.8),
    Chronic("adhd", "F90.9", "Attention-deficit hyperactivity disorder, unspecified type",
            ((6, 17, .08), (18, 40, .03)), female=0.6, male=1.5, meds=("1091150", "854834"),
            labels=("PSY",), visits=0.6),
    Chronic("back", "M54.50", "Low back pain, unspecified", ((18, 120, .08),), meds=("828320",), visits=0.4),
    Chronic("obesity", "E66.9", "Obesity, unspecified", ((6, 17, .12), (18, 120, .24)), visits=0.2),
    Chronic("gerd", "K21.9", "Gastro-esophageal reflux disease without esophagitis", ((18, 120, .09),),
            visits=0.2),
    Chronic("thyroid", "E03.9", "Hypothyroidism, unspecified", ((18, 120, .05),), female=1.8, male=0.4,
            visits=0.3),
    Chronic("rhinitis", "J30.9", "Allergic rhinitis, unspecified", ((5, 120, .09),),
            meds=("1014678", "311372"), visits=0.1),
    Chronic("copd", "J44.9", "Chronic obstructive pulmonary disease, unspecified", ((50, 120, .06),),
            meds=("745752",), visits=0.8),
    Chronic("ckd", "N18.30", "Chronic kidney disease, stage 3 unspecified", ((60, 120, .08),), visits=0.6),
    Chronic("afib", "I48.91", "Unspecified atrial fibrillation", ((65, 120, .06),),
            meds=("1364445", "866436"), visits=0.8),
    Chronic("knee_oa", "M17.0", "Bilateral primary osteoarthritis of knee", ((55, 120, .12),), visits=0.3),
    Chronic("osa", "G47.33", "Obstructive sleep apnea (adult) (pediatric)", ((40, 120, .05),), visits=0.1),
    Chronic("vitd", "E55.9", "Vitamin D deficiency, unspecified", ((18, 120, .05),), visits=0.1),
    Chronic("tobacco", "F17.210", "Nicotine dependence, cigarettes, uncomplicated", ((18, 120, .10),),
            meds=("636676",), visits=0.2),
    Chronic("osteoporosis", "M81.0", "Age-related osteoporosis without current pathological fracture",
            ((65, 120, .15),), male=0.0, visits=0.2),
    Chronic("bph", "N40.0", "Benign prostatic hyperplasia without lower urinary tract symptoms",
            ((55, 120, .25),), female=0.0, visits=0.2),
    Chronic("migraine", "G43.909", "Migraine, unspecified, not intractable, without status migrainosus",
            ((15, 55, .08),), female=1.5, male=0.4, meds=("199888",), visits=0.3),
    Chronic("hf", "I50.9", "Heart failure, unspecified", ((65, 120, .04),), meds=("313988", "200031"),
            visits=1.2),
)

#: Acute visit reasons: (ICD-10-CM, display, from age, to age, antibiotic or other RxCUI or "", complaint)
ACUTE = (
    ("J06.9", "Acute upper respiratory infection, unspecified", 0, 120, "", "cough, sore throat and congestion"),
    ("J02.9", "Acute pharyngitis, unspecified", 3, 120, "308191", "sore throat and fever"),
    ("N39.0", "Urinary tract infection, site not specified", 16, 120, "1648755", "burning on urination"),
    ("J20.9", "Acute bronchitis, unspecified", 5, 120, "", "cough for ten days"),
    ("H66.90", "Otitis media, unspecified, unspecified ear", 0, 12, "313850", "ear pain and fever"),
    ("J01.90", "Acute sinusitis, unspecified", 12, 120, "562508", "facial pressure and congestion"),
    ("S93.401A", "Sprain of unspecified ligament of right ankle, initial encounter", 8, 80, "",
     "twisted right ankle"),
    ("M25.561", "Pain in right knee", 15, 120, "", "right knee pain"),
    ("L30.9", "Dermatitis, unspecified", 0, 120, "", "itchy rash"),
    ("R51.9", "Headache, unspecified", 10, 120, "", "headaches"),
    ("B34.9", "Viral infection, unspecified", 0, 120, "", "fever and body aches"),
    ("K59.00", "Constipation, unspecified", 0, 120, "", "constipation"),
)
WELL_ADULT = ("Z00.00", "Encounter for general adult medical examination without abnormal findings")
WELL_ADULT_ABNORMAL = ("Z00.01", "Encounter for general adult medical examination with abnormal findings")
WELL_CHILD = ("Z00.129", "Encounter for routine child health examination without abnormal findings")

#: RxCUI -> (dose, dose unit, frequency, days supply, as needed)
DOSING = {
    "314076": ("1", "tablet", "once daily", 90, False), "197361": ("1", "tablet", "once daily", 90, False),
    "310798": ("1", "tablet", "once daily", 90, False), "979492": ("1", "tablet", "once daily", 90, False),
    "861007": ("1", "tablet", "twice daily with meals", 90, False),
    "860975": ("2", "tablet", "once daily with the evening meal", 90, False),
    "847230": ("20", "[IU]", "once daily at bedtime", 30, False),
    "617310": ("1", "tablet", "once daily", 90, False),
    "312961": ("1", "tablet", "once daily at bedtime", 90, False),
    "859747": ("1", "tablet", "once daily", 90, False),
    "745752": ("2", "puff", "every 4 to 6 hours as needed for wheeze", 30, True),
    "895996": ("2", "puff", "twice daily", 30, False),
    "349332": ("1", "tablet", "once daily", 30, False), "312941": ("1", "tablet", "once daily", 30, False),
    "310385": ("1", "capsule", "once daily", 30, False),
    "993541": ("1", "tablet", "once daily in the morning", 30, False),
    "1091150": ("1", "tablet", "twice daily", 30, False),
    "854834": ("1", "capsule", "once daily in the morning", 30, False),
    "828320": ("1", "tablet", "three times daily as needed for spasm", 10, True),
    "1014678": ("1", "tablet", "once daily", 30, False), "311372": ("1", "tablet", "once daily", 30, False),
    "1364445": ("1", "tablet", "twice daily", 90, False), "866436": ("1", "tablet", "once daily", 90, False),
    "636676": ("1", "tablet", "twice daily", 30, False), "199888": ("1", "tablet", "twice daily", 30, False),
    "313988": ("1", "tablet", "once daily", 90, False), "200031": ("1", "tablet", "twice daily", 90, False),
    "308191": ("1", "capsule", "three times daily for 10 days", 10, False),
    "1648755": ("1", "capsule", "twice daily for 5 days", 5, False),
    "313850": ("10", "mL", "twice daily for 10 days", 10, False),
    "562508": ("1", "tablet", "twice daily for 7 days", 7, False),
    "308460": ("1", "tablet", "once daily for 5 days", 5, False),
}
#: Over-the-counter medicines patients report taking (MedicationStatement).
HOME_MEDS = ("243670", "313782", "310965", "849574", "311372")

#: Allergies: (system, code, category, reaction). Drugs use the shipped RxNorm products, as the
#: allergy service accepts; drug classes the list lacks (penicillins, codeine) and foods or
#: environmental allergens are free text (system "text", code = the name in lower case).
ALLERGENS = (
    ("text", "Penicillin", "medication", "hives"),
    ("rxnorm", "308191", "medication", "rash"),  # amoxicillin 500 MG Oral Capsule
    ("rxnorm", "198335", "medication", "rash"),  # sulfamethoxazole / trimethoprim
    ("text", "Codeine", "medication", "nausea and vomiting"),
    ("rxnorm", "243670", "medication", "wheezing"),  # aspirin 81 MG Oral Tablet
    ("rxnorm", "310965", "medication", "stomach upset"),  # ibuprofen 200 MG Oral Tablet
    ("rxnorm", "314076", "medication", "cough"),  # lisinopril 10 MG Oral Tablet
    ("text", "Peanut", "food", "throat swelling"),
    ("text", "Shellfish", "food", "hives"),
    ("text", "Latex", "environment", "contact dermatitis"),
    ("text", "Bee venom", "environment", "anaphylaxis"),
    ("text", "Cat dander", "environment", "sneezing and itchy eyes"),
)
#: Drugs that cross-react: an allergy to one rules out the others.
DRUG_CLASSES = (("penicillin", "amoxicillin"),)
#: What to prescribe instead when the usual antibiotic is ruled out by an allergy.
ANTIBIOTIC_ALTERNATIVE = "308460"  # azithromycin 250 MG Oral Tablet

#: CVX code -> (display, manufacturer, route, site); the stored display comes from the terminology
VACCINES = {
    "140": ("Influenza, seasonal, injectable, preservative free", "Sanofi Pasteur", "IM", "left deltoid"),
    "135": ("Influenza, high dose seasonal", "Sanofi Pasteur", "IM", "left deltoid"),
    "208": ("COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose", "Pfizer", "IM", "right deltoid"),
    "207": ("COVID-19, mRNA, LNP-S, PF, 100 mcg/0.5 mL dose", "Moderna", "IM", "right deltoid"),
    "115": ("Tdap", "GlaxoSmithKline", "IM", "left deltoid"),
    "187": ("zoster recombinant", "GlaxoSmithKline", "IM", "right deltoid"),
    "216": ("Pneumococcal conjugate PCV20", "Pfizer", "IM", "left deltoid"),
    "08": ("Hep B, adolescent or pediatric", "Merck", "IM", "right thigh"),
    "20": ("DTaP", "Sanofi Pasteur", "IM", "left thigh"),
    "10": ("IPV", "Sanofi Pasteur", "IM", "right thigh"),
    "49": ("Hib (PRP-OMP)", "Merck", "IM", "left thigh"),
    "133": ("Pneumococcal conjugate PCV 13", "Pfizer", "IM", "right thigh"),
    "116": ("rotavirus, pentavalent", "Merck", "PO", "mouth"),
    "03": ("MMR", "Merck", "SC", "left arm"),
    "21": ("varicella", "Merck", "SC", "right arm"),
    "83": ("Hep A, ped/adol, 2 dose", "GlaxoSmithKline", "IM", "left deltoid"),
    "165": ("HPV9", "Merck", "IM", "right deltoid"),
    "136": ("Meningococcal MCV4O", "GlaxoSmithKline", "IM", "left deltoid"),
}
#: The childhood schedule: (age in months, CVX codes given at that visit)
CHILD_SCHEDULE = ((0, ("08",)), (2, ("20", "10", "49", "133", "116", "08")), (4, ("20", "10", "49", "133", "116")),
                  (6, ("20", "133", "116", "08")), (12, ("03", "21", "83", "49", "133")), (18, ("20", "83")),
                  (48, ("20", "10", "03", "21")), (132, ("115", "165", "136")), (192, ("136",)))

#: Lab orders: key -> (LOINC order code, order display, result LOINC codes)
PANELS = {
    "a1c": ("4548-4", "Hemoglobin A1c", ("4548-4",)),
    "lipids": ("24331-1", "Lipid panel", ("2093-3", "2085-9", "13457-7", "2571-8")),
    "bmp": ("51990-0", "Basic metabolic panel", ("2345-7", "3094-0", "2160-0", "2951-2", "2823-3", "2075-0",
                                                "2028-9", "17861-6", "98979-8")),
    "cbc": ("58410-2", "CBC panel", ("718-7", "4544-3", "6690-2", "777-3")),
    "tsh": ("3016-3", "TSH", ("3016-3",)),
    "vitd": ("1989-3", "Vitamin D, 25-hydroxy", ("1989-3",)),
    "uacr": ("14959-1", "Urine microalbumin/creatinine ratio", ("14959-1",)),
}

#: The clinic's fee schedule: code -> (description, price)
FEES = {
    "OV-NEW-30": ("Office visit, new patient, 30 minutes", Decimal("185.00")),
    "OV-EST-15": ("Office visit, established patient, 15 minutes", Decimal("115.00")),
    "OV-EST-25": ("Office visit, established patient, 25 minutes", Decimal("165.00")),
    "TH-EST-15": ("Telehealth visit, established patient", Decimal("100.00")),
    "PREV-ADULT": ("Preventive visit, adult", Decimal("210.00")),
    "PREV-CHILD": ("Well-child visit", Decimal("175.00")),
    "NV-10": ("Nurse visit", Decimal("45.00")),
    "G0438": ("Annual wellness visit, initial", Decimal("175.00")),
    "G0439": ("Annual wellness visit, subsequent", Decimal("130.00")),
    "G0444": ("Annual depression screening, 15 minutes", Decimal("20.00")),
    "G0008": ("Administration of influenza virus vaccine", Decimal("25.00")),
    "G0009": ("Administration of pneumococcal vaccine", Decimal("25.00")),
    "VAX-ADMIN": ("Vaccine administration", Decimal("25.00")),
    "J1100": ("Injection, dexamethasone sodium phosphate, 1 mg", Decimal("3.50")),
    "LAB-DRAW": ("Venipuncture and specimen handling", Decimal("15.00")),
}
