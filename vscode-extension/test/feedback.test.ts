import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { EMPTY_FEEDBACK, parseFeedback, reduceFeedback, restoreAnswers, SAVED_ANSWERS, savedAnswers, type FeedbackAnswer, type FeedbackState } from '../src/feedback';
import { feedbackPage, renderMessage } from '../src/feedbackView';
import type { FeedbackNotification } from '../src/protocol';

const BEGIN: FeedbackNotification = {
  id: 'a1',
  kind: 'begin',
  feature: 'hint',
  exercise: 'py-sum-evens',
  title: 'Hint 2/3 · Sum of evens',
  uri: 'file:///gym/sum.py',
};

function fold(...messages: FeedbackNotification[]): FeedbackState {
  return messages.reduce(reduceFeedback, EMPTY_FEEDBACK);
}

describe('feedback stream reducer', () => {
  it('streams chunks, then takes the final text at the end', () => {
    const streaming = fold(BEGIN, { id: 'a1', kind: 'chunk', text: 'Look at ' }, { id: 'a1', kind: 'chunk', text: '`n % 2`' });
    assert.equal(streaming.answer?.text, 'Look at `n % 2`');
    assert.equal(streaming.answer?.status, 'streaming');
    const ended = reduceFeedback(streaming, {
      id: 'a1',
      kind: 'end',
      status: 'ok',
      source: 'llm',
      note: null,
      text: 'Look at `n % 2 == 0`.',
      file: 'file:///gym/.codegym/feedback/py-sum-evens/hint.md',
    });
    const { kind, ...begun } = BEGIN;
    assert.equal(kind, 'begin');
    assert.deepEqual(ended.answer, {
      ...begun,
      text: 'Look at `n % 2 == 0`.',
      status: 'ok',
      source: 'llm',
      note: null,
      file: 'file:///gym/.codegym/feedback/py-sum-evens/hint.md',
    });
  });

  it('discards the text on reset', () => {
    const state = fold(BEGIN, { id: 'a1', kind: 'chunk', text: 'leaky answer' }, { id: 'a1', kind: 'reset' }, { id: 'a1', kind: 'chunk', text: 'safe' });
    assert.equal(state.answer?.text, 'safe');
  });

  it('replaces the answer on begin and ignores other answers and late chunks', () => {
    const second: FeedbackNotification = { ...BEGIN, id: 'b2', feature: 'review', title: 'Review' };
    const state = fold(BEGIN, { id: 'a1', kind: 'chunk', text: 'old' }, second, { id: 'a1', kind: 'chunk', text: 'stale' });
    assert.equal(state.answer?.id, 'b2');
    assert.equal(state.answer?.text, '');
    const end = { id: 'b2', kind: 'end', status: 'offline', source: 'rules', note: 'tutor unavailable: connection refused', text: 'final', file: null } as const;
    const ended = fold(second, end, { id: 'b2', kind: 'chunk', text: 'after the end' });
    assert.equal(ended.answer?.text, 'final');
    assert.equal(ended.answer?.note, 'tutor unavailable: connection refused');
    assert.equal(fold({ id: 'x', kind: 'chunk', text: 'no begin' }), EMPTY_FEEDBACK);
  });

  it('parses notification params defensively', () => {
    assert.deepEqual(parseFeedback({ ...BEGIN, extra: 1 }), BEGIN);
    assert.equal(parseFeedback(null), undefined);
    assert.equal(parseFeedback({ kind: 'chunk', text: 'no id' }), undefined);
    assert.equal(parseFeedback({ id: 'a', kind: 'chunk', text: 3 }), undefined);
    assert.equal(parseFeedback({ id: 'a', kind: 'unknown' }), undefined);
    assert.deepEqual(parseFeedback({ id: 'a', kind: 'end', status: 'weird', source: 'nowhere', note: '', text: 't', file: null }), {
      id: 'a',
      kind: 'end',
      status: 'error',
      source: null,
      note: null,
      text: 't',
      file: null,
    });
  });
});

describe('feedback view', () => {
  it('renders the answer with its title, status and note banner, sanitised', () => {
    const state = fold(BEGIN, {
      id: 'a1',
      kind: 'end',
      status: 'offline',
      source: 'authored',
      note: 'tutor unavailable: <b>no Ollama</b>',
      text: 'Try **even** numbers.<script>alert(1)</script>',
      file: 'file:///f.md',
    });
    const message = renderMessage(state);
    assert.equal(message.type, 'render');
    assert.equal(message.streaming, false);
    assert.match(message.html, /<h1>Hint 2\/3 · Sum of evens<\/h1>/);
    assert.match(message.html, /Hint · py-sum-evens · offline, written by the exercise author/);
    assert.match(message.html, /<div class="note" role="status">tutor unavailable: &lt;b&gt;no Ollama&lt;\/b&gt;<\/div>/);
    assert.match(message.html, /<strong>even<\/strong>/);
    assert.match(message.html, /data-action="open-file"/);
    assert.doesNotMatch(message.html, /<script/);
  });

  it('shows a placeholder while nothing has streamed yet, and an empty state', () => {
    const message = renderMessage(fold(BEGIN));
    assert.equal(message.streaming, true);
    assert.match(message.html, /Thinking…/);
    assert.match(message.html, /writing…/);
    assert.doesNotMatch(message.html, /open-file/);
    assert.match(renderMessage(EMPTY_FEEDBACK).html, /No feedback yet/);
    assert.match(renderMessage(EMPTY_FEEDBACK, 'file:///gym/js/01-js-days%20in.js').html, /No feedback about 01-js-days in\.js yet/);
  });

  it('shows the note once when the text already says it', () => {
    const note = 'The tutor model is turned off (setting tutor.enabled).';
    const end = { id: 'a1', kind: 'end', status: 'offline', source: 'authored', note, file: null } as const;
    const repeated = renderMessage(fold(BEGIN, { ...end, text: `> ${note} This is hint 1/3.\n\nLook at n % 2.` })).html;
    assert.equal(repeated.match(/turned off/g)?.length, 1);
    assert.doesNotMatch(repeated, /class="note"/);
    assert.match(renderMessage(fold(BEGIN, { ...end, text: 'Look at n % 2.' })).html, /<div class="note" role="status">The tutor model/);
    const offline = { ...end, note: 'tutor unavailable: cannot reach Ollama at http://127.0.0.1:11434' };
    const capitalised = renderMessage(fold(BEGIN, { ...offline, text: 'Tutor unavailable: cannot reach Ollama at http://127.0.0.1:11434. This is hint 1/3.' })).html;
    assert.equal(capitalised.match(/cannot reach Ollama/g)?.length, 1);
  });

  it('escapes the title and names unknown features as they are', () => {
    const html = renderMessage(fold({ ...BEGIN, feature: 'quiz' as never, title: '<img src=x onerror=alert(1)>' })).html;
    assert.match(html, /<h1>&lt;img src=x onerror=alert\(1\)&gt;<\/h1>/);
    assert.match(html, /quiz · py-sum-evens/);
  });

  it('serves a page with a strict CSP and a nonce on its only style and script', () => {
    const page = feedbackPage('abc123');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1];
    assert.equal(csp, "default-src 'none'; style-src 'nonce-abc123'; script-src 'nonce-abc123'; base-uri 'none'; form-action 'none'");
    assert.deepEqual(page.match(/<script[^>]*>/g), ['<script nonce="abc123">']);
    assert.deepEqual(page.match(/<style[^>]*>/g), ['<style nonce="abc123">']);
    assert.doesNotMatch(page, /\b(?:src|href)=/);
    assert.doesNotMatch(page, /https?:\/\//);
  });
});

describe('feedback kept across reloads', () => {
  const answer = (uri: string, status: FeedbackAnswer['status'] = 'ok'): FeedbackAnswer => ({
    id: uri,
    feature: 'hint',
    exercise: 'py-sum-evens',
    title: 'Hint 1/3 · Sum of evens',
    uri,
    text: 'Look at `n % 2`.',
    status,
    source: 'authored',
    note: null,
    file: null,
  });

  it('keeps the finished answers, the latest ones, and the document shown', () => {
    const many = Array.from({ length: SAVED_ANSWERS + 5 }, (_, index) => answer(`file:///gym/${String(index)}.py`));
    const saved = savedAnswers([...many, answer('file:///gym/streaming.py', 'streaming')], 'file:///gym/3.py');
    assert.equal(saved.answers.length, SAVED_ANSWERS);
    assert.equal(saved.answers.at(-1)?.uri, `file:///gym/${String(SAVED_ANSWERS + 4)}.py`);
    assert.deepEqual(restoreAnswers(JSON.parse(JSON.stringify(saved))), saved);
  });

  it('drops what it cannot read back', () => {
    assert.deepEqual(restoreAnswers(undefined), { answers: [], shown: null });
    assert.deepEqual(restoreAnswers({ answers: [{ uri: 'x' }, 7, answer('file:///a.py', 'bogus' as never)], shown: 3 }), { answers: [], shown: null });
  });
});
