"""Entry point of the frozen build: the same ``outpost`` command line as ``ui.cli:main``."""
import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from ui.cli import main
    sys.exit(main())
