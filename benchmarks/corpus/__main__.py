import sys

from benchmarks.corpus import main

sys.exit(main(sys.argv[1:]))
