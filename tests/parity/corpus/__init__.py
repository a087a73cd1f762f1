"""Parity corpora: each module defines CASES, a list of parity.case.Case."""
