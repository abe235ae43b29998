"""ASPRO2 integration: the ObsPortal search.votable contract."""
