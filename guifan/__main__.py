import sys

from guifan.cli import main

if __name__ == "__main__":  # worker processes (crawler/offload.py) import this module too
    sys.exit(main())
