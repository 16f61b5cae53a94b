"""The stages of a build, in the order build.py runs them."""
