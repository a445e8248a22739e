"""A child process for the crash test: writes patients as fast as it can and prints each
committed id (after the commit returns). The parent kills it with SIGKILL mid-burst."""
import sys
from datetime import date
from pathlib import Path

from app.model import HumanName, Observation, Coding, Patient, utcnow
from db.store import Store


def main(folder: str, password: str) -> None:
    store = Store.unlock(Path(folder), "admin", password)
    n = 0
    while True:
        n += 1
        with store.uow() as uow:
            p = Patient(mrn=f"K{sys.argv[3]}-{n}", name=HumanName("Crash", [f"Test{n}"]),
                        birth_date=date(1990, 1, 1))
            uow.patients.add(p)
            uow.observations.add(Observation(patient_id=p.id, code=Coding("loinc", "8867-4"),
                                             effective=utcnow(), value=70 + n % 30, unit="/min"))
            uow.commit()
        print(p.id, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
