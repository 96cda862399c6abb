"""The golden thread: the outcomes framework's model, its files, and the words it is read in."""
