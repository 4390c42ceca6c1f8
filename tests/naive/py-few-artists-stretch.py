def longest_stretch(artists, k):
    """Naive: from every starting song, extend until more than k artists (O(n * answer))."""
    best = 0
    for first in range(len(artists)):
        present = set()
        length = 0
        for artist in artists[first:]:
            present.add(artist)
            if len(present) > k:
                break
            length += 1
        best = max(best, length)
    return best
