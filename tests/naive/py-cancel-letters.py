def cancel_letters(text):
    """Naive: find the first cancelling pair, cut it out, and rescan from the start (quadratic)."""
    changed = True
    while changed:
        changed = False
        for i in range(len(text) - 1):
            a, b = text[i], text[i + 1]
            if a != b and a.lower() == b.lower():
                text = text[:i] + text[i + 2 :]
                changed = True
                break
    return text
