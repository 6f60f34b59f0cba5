"""gdx: the lecture kit. One command line for renders, stills, slides, handouts, subtitles and lessons."""
