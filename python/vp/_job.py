"""``python -m vp._job JOB.pkl RESULT.pkl``: one experiment configuration in a fresh process."""
import sys

from vp.experiments import _child_main

if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
