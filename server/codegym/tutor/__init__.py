"""The tutor: hints, error explanations, code reviews, generated tests and concept explanations,
from a local Ollama model, screened for solution leaks and useful offline. It knows nothing of
Docker or LSP: the sandbox reaches it as a callable, the editor as an `AnswerSink`."""
