# attack: values that claim to equal anything: an __eq__ that always says yes, an int subclass
#   with a lying __eq__/__repr__, a str subclass, a dict subclass, a list whose __iter__ lies
# expect: wrong_answer
# shows: <Anything object>
class Anything:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __repr__(self):
        return "2"

    __hash__ = object.__hash__


class Liar(int):
    def __eq__(self, other):
        return True

    def __repr__(self):
        return "4"

    __hash__ = int.__hash__


class Text(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


class LyingList(list):
    def __iter__(self):
        return iter([2])


def double(x):
    return {1: Anything(), 2: Liar(0), 50: Text("100")}.get(x, LyingList([0]))
