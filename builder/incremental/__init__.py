"""What a build reuses from the last one: the build cache and the two seams where it enters."""
