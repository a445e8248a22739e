"""Name pools for the synthetic demo clinic, by origin.

The pools are deliberately varied: diacritics (José, Zoë, Nguyễn, Müller), apostrophes
and hyphens (O'Brien, Al-Sayed), and a small share of names written in non-Latin
scripts (王芳, Дмитрий Иванов, محمد) that the search index must still find.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    """One naming tradition: its pools, and the languages and races most often seen with it."""
    name: str
    weight: float
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]
    languages: tuple[tuple[str, float], ...] = (("en", 1.0),)
    races: tuple[tuple[str, float], ...] = (("2106-3", 1.0),)
    hispanic: float = 0.02


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ORIGINS: tuple[Origin, ...] = (
    Origin("english", 40,
           _split("Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Emily "
                  "Hannah Olivia Emma Ava Sophia Abigail Madison Grace Chloe Natalie Ashley Megan "
                  "Rachel Laura Kimberly Amanda Melissa Rebecca Heather Brittany Kayla Lauren Ruth"),
           _split("James Robert John Michael William David Richard Joseph Thomas Charles Daniel "
                  "Matthew Anthony Mark Steven Paul Andrew Joshua Kevin Brian George Timothy Ryan "
                  "Jacob Ethan Noah Liam Mason Logan Tyler Dylan Nathan Aaron Samuel Henry Walter"),
           _split("Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas "
                  "Moore Jackson Martin Thompson White Harris Clark Lewis Robinson Walker Young "
                  "Allen King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Carter "
                  "Roberts Turner Phillips Parker Evans Edwards Collins Stewart Morris Rogers Reed "
                  "Cook Morgan Bell Cooper Richardson Cox Howard Ward Peterson Gray Watson Brooks "
                  "Kelly Sanders Price Bennett Wood Barnes Ross Henderson Coleman Jenkins Perry "
                  "Powell Long Patterson Hughes Washington Butler Simmons Foster Bryant Russell"),
           races=(("2106-3", 0.72), ("2054-5", 0.22), ("1002-5", 0.02), ("2131-1", 0.04))),
    Origin("hispanic", 18,
           _split("María José Lucía Sofía Valentina Camila Ximena Guadalupe Rosa Ana Carmen "
                  "Verónica Mónica Inés Raquel Beatriz Daniela Gabriela Andrea Isabel Paola Adriana"),
           _split("José Juan Luis Carlos Jesús Miguel Ángel Alejandro Javier Andrés Ramón Martín "
                  "Sebastián Diego Mateo Santiago Rubén Héctor Raúl Fernando Óscar Jorge Iván"),
           _split("García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres "
                  "Flores Rivera Gómez Díaz Cruz Morales Reyes Gutiérrez Ortiz Chávez Ramos Ruiz "
                  "Jiménez Muñoz Álvarez Mendoza Castillo Vásquez Peña Núñez Ibáñez Domínguez"),
           languages=(("en", 0.55), ("es", 0.45)),
           races=(("2106-3", 0.55), ("2131-1", 0.35), ("2054-5", 0.05), ("1002-5", 0.05)),
           hispanic=0.97),
    Origin("german_nordic", 6,
           _split("Zoë Jürgen Anneliese Greta Ingrid Sigrid Astrid Käthe Liesl Helga Solveig Åsa"),
           _split("Jürgen Björn Søren Lars Jörg Klaus Dieter Günter Sven Nils Örjan Matthias"),
           _split("Müller Schröder Schäfer Groß Köhler Weiß Krüger Jäger Hoffmann Bäcker Lindqvist "
                  "Ødegaard Sjöberg Åberg Nørgaard Fischer Wagner Becker Schulz Zimmermann"),
           languages=(("en", 0.9), ("de", 0.1))),
    Origin("french", 4,
           _split("Zoë Chloé Hélène Amélie Élodie Cécile Noémie Françoise Léa Margaux Anaïs"),
           _split("François Jérôme Étienne René André Benoît Cédric Théo Noël Gaëtan Loïc"),
           _split("Lefèvre Béranger Dubois Moreau Laurent Lemaître Fournier Girard Bonnet Chévrier "
                  "Côté Gagné Bélanger Pelletier Bouchard Lévesque"),
           languages=(("en", 0.85), ("fr", 0.15))),
    Origin("vietnamese", 5,
           _split("Thảo Linh Hương Mai Ngọc Trang Hằng Lan Phương Thúy Yến"),
           _split("Minh Hùng Dũng Tuấn Quang Huy Khoa Bảo Long Phúc Thắng"),
           _split("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương"),
           languages=(("vi", 0.5), ("en", 0.5)), races=(("2028-9", 1.0),)),
    Origin("chinese", 4,
           _split("Mei Ling Xiu Yan Hui Jing Fang Lan Ying"),
           _split("Wei Jun Hao Lei Ming Jian Tao Qiang Bo"),
           _split("Li Wang Zhang Liu Chen Yang Zhao Huang Zhou Wu Xu Sun Zhu Lin"),
           languages=(("en", 0.6), ("zh", 0.4)), races=(("2028-9", 1.0),)),
    Origin("south_asian", 4,
           _split("Priya Ananya Deepa Kavya Lakshmi Meera Sunita Aarti Pooja Neha"),
           _split("Arjun Rahul Vikram Sanjay Ravi Anil Rohan Aditya Suresh Karan"),
           _split("Patel Sharma Singh Gupta Reddy Iyer Nair Desai Mehta Rao Chaudhary Joshi"),
           languages=(("en", 0.8), ("hi", 0.1), ("gu", 0.1)), races=(("2028-9", 1.0),)),
    Origin("west_african", 4,
           _split("Ngozi Chioma Adaeze Folake Amara Funmilayo Yetunde Ifeoma Abena Efua"),
           _split("Chinedu Emeka Oluwaseun Kwame Kofi Tunde Obinna Babajide Chukwuemeka"),
           _split("Okafor Adeyemi Okonkwo Mensah Asante Balogun Eze Nwosu Adebayo Boateng"),
           languages=(("en", 0.9), ("yo", 0.05), ("ig", 0.05)), races=(("2054-5", 1.0),)),
    Origin("arabic", 3,
           _split("Fatima Layla Aisha Mariam Nour Yasmin Huda Rania Salma"),
           _split("Omar Ahmed Khalid Youssef Hassan Karim Tariq Ziad Samir"),
           _split("Haddad Al-Sayed Mansour Khalil Nasser Saleh Farouk El-Amin Hamdan Aziz"),
           languages=(("en", 0.6), ("ar", 0.4)), races=(("2106-3", 0.9), ("2131-1", 0.1))),
    Origin("polish", 3,
           _split("Zofia Małgorzata Agnieszka Katarzyna Joanna Beata Dorota Ewa Halina"),
           _split("Łukasz Paweł Michał Grzegorz Krzysztof Piotr Tomasz Wojciech Jędrzej"),
           _split("Kowalski Nowak Wójcik Kamiński Lewandowski Zieliński Szymański Woźniak Dąbrowski"),
           languages=(("en", 0.8), ("pl", 0.2))),
    Origin("irish", 3,
           _split("Siobhán Aoife Niamh Saoirse Róisín Caoimhe Bríd Orla Máire"),
           _split("Seán Pádraig Ciarán Eoin Colm Declan Liam Darragh Tadhg"),
           _split("O'Brien O'Connor O'Sullivan McCarthy Murphy Kennedy Byrne Walsh "
                  "Fitzgerald MacNamara O'Neill"),
           races=(("2106-3", 1.0),)),
)

#: Names kept in their own script (about 2% of patients): (given, family, sex, language, race).
NON_LATIN: tuple[tuple[str, str, str, str, str], ...] = (
    ("芳", "王", "female", "zh", "2028-9"), ("伟", "李", "male", "zh", "2028-9"),
    ("敏", "张", "female", "zh", "2028-9"), ("洋", "刘", "male", "zh", "2028-9"),
    ("静", "陈", "female", "zh", "2028-9"), ("强", "杨", "male", "zh", "2028-9"),
    ("Дмитрий", "Иванов", "male", "ru", "2106-3"), ("Ольга", "Смирнова", "female", "ru", "2106-3"),
    ("Сергей", "Кузнецов", "male", "ru", "2106-3"), ("Анна", "Попова", "female", "ru", "2106-3"),
    ("Олена", "Шевченко", "female", "uk", "2106-3"),
    ("محمد", "حداد", "male", "ar", "2106-3"), ("فاطمة", "منصور", "female", "ar", "2106-3"),
    ("민준", "김", "male", "ko", "2028-9"), ("서연", "이", "female", "ko", "2028-9"),
    ("Γιώργος", "Παπαδόπουλος", "male", "el", "2106-3"),
    ("Ελένη", "Οικονόμου", "female", "el", "2106-3"),
)

NON_LATIN_SHARE = 0.02

RACE_DISPLAY = {
    "2106-3": "White", "2054-5": "Black or African American", "2028-9": "Asian",
    "1002-5": "American Indian or Alaska Native",
    "2076-8": "Native Hawaiian or Other Pacific Islander", "2131-1": "Other Race",
}
ETHNICITY_DISPLAY = {"2135-2": "Hispanic or Latino", "2186-5": "Not Hispanic or Latino"}

STREETS = _split("Oak Maple Cedar Pine Elm Willow Birch Aspen Juniper Alder Spruce Hawthorn "
                 "River Lake Hill Meadow Orchard Mill Church Market Union Bridge Station Park")
STREET_KINDS = ("Street", "Avenue", "Road", "Lane", "Drive", "Court", "Way", "Place")
#: (city, ZIP prefix, telephone area code) — a fictional river valley.
TOWNS = (("Riverbend", "9730", "541"), ("Hill Road", "9731", "541"), ("Cedar Falls", "9732", "458"),
         ("Millbrook", "9733", "541"), ("Stony Point", "9734", "503"), ("Fairhaven", "9735", "458"))
STATE = "OR"

#: (payer, plan, share of insured patients under 65); Medicare covers 65+ separately.
PAYERS = (("Blue Cross Blue Shield", "PPO", 0.28), ("Aetna", "HMO", 0.14),
          ("UnitedHealthcare", "Choice Plus", 0.18), ("Cigna", "Open Access", 0.10),
          ("Kaiser Permanente", "HMO", 0.10), ("Oregon Health Plan (Medicaid)", "CCO", 0.20))
MEDICARE = ("Medicare", "Part B")
