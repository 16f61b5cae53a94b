"""What editors use besides the build: new posts and sites, checks, listing, importing bulletins."""
