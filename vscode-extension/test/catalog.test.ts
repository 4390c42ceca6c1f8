import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { catalogNodes, exerciseFiles, hasExerciseFiles, progressSummary, STATUS_ICONS } from '../src/catalog';
import type { Catalog, CatalogExercise, ExerciseStatus } from '../src/protocol';

function exercise(id: string, status: ExerciseStatus, file: string | null = `file:///gym/${id}.py`): CatalogExercise {
  return { id, title: `Title of ${id}`, difficulty: 'easy', order: 1, concepts: ['py-loops'], status, file };
}

const CATALOG: Catalog = {
  solved: 2,
  total: 5,
  courses: [
    {
      id: 'python',
      title: 'Python',
      language: 'python',
      topics: [
        { id: 'py-basics', title: 'Basics', exercises: [exercise('a', 'solved'), exercise('b', 'solved')] },
        { id: 'py-lists', title: 'Lists', exercises: [exercise('c', 'attempted'), exercise('d', 'new', null)] },
      ],
    },
    {
      id: 'javascript',
      title: 'JavaScript',
      language: 'javascript',
      topics: [{ id: 'js-basics', title: 'Basics', exercises: [exercise('e', 'new')] }],
    },
  ],
};

describe('catalog → tree nodes', () => {
  const [python, javascript] = catalogNodes(CATALOG, 'open');

  it('has courses, topics and exercises with solved counts', () => {
    assert.ok(python && javascript);
    assert.deepEqual(
      [python.label, python.description, python.kind, javascript.label, javascript.description],
      ['Python', '2/4', 'course', 'JavaScript', '0/1'],
    );
    assert.deepEqual(
      python.children.map((topic) => [topic.label, topic.description, topic.kind]),
      [
        ['Basics', '2/2', 'topic'],
        ['Lists', '0/2', 'topic'],
      ],
    );
    assert.deepEqual(
      python.children.flatMap((topic) => topic.children.map((node) => node.label)),
      ['Title of a', 'Title of b', 'Title of c', 'Title of d'],
    );
  });

  it('gives exercises a status icon and the command that opens them by id', () => {
    const lists = python?.children[1];
    const [attempted, fresh] = lists?.children ?? [];
    assert.deepEqual(python?.children[0]?.children[0]?.icon, { id: 'pass-filled', color: 'testing.iconPassed' });
    assert.deepEqual(attempted?.icon, STATUS_ICONS.attempted);
    assert.deepEqual(fresh?.icon, { id: 'circle-outline' });
    assert.deepEqual(attempted?.command, { command: 'open', title: 'Open exercise', arguments: ['c'] });
    assert.equal(attempted?.description, 'easy');
    assert.match(attempted?.tooltip ?? '', /attempted.*\nConcepts: py-loops/s);
    assert.match(fresh?.tooltip ?? '', /No file yet/);
    assert.equal(attempted?.children.length, 0);
  });

  it('has stable ids and expands each course at its first unsolved exercise', () => {
    assert.equal(python?.id, 'course:python');
    assert.equal(python?.children[1]?.id, 'topic:python/py-lists');
    assert.equal(python?.children[1]?.children[0]?.id, 'exercise:c');
    assert.deepEqual(
      catalogNodes(CATALOG, 'open').map((course) => [course.expanded, ...course.children.map((topic) => topic.expanded)]),
      [
        [true, false, true],
        [true, true],
      ],
    );
  });

  it('lists the exercise files, and names each exercise node\'s file', () => {
    assert.deepEqual(exerciseFiles(CATALOG), ['file:///gym/a.py', 'file:///gym/b.py', 'file:///gym/c.py', 'file:///gym/e.py']);
    const [lists] = catalogNodes(CATALOG, 'open')[0]?.children.slice(1) ?? [];
    assert.deepEqual(lists?.children.map((node) => node.file), ['file:///gym/c.py', undefined]);
  });

  it('summarises progress for the status bar', () => {
    assert.equal(progressSummary(CATALOG), 'Code Gym 2/5 ✓');
  });

  it('knows when the workspace has no exercise files', () => {
    assert.equal(hasExerciseFiles(CATALOG), true);
    const none: Catalog = {
      ...CATALOG,
      courses: CATALOG.courses.map((course) => ({
        ...course,
        topics: course.topics.map((topic) => ({
          ...topic,
          exercises: topic.exercises.map((item) => ({ ...item, file: null })),
        })),
      })),
    };
    assert.equal(hasExerciseFiles(none), false);
    assert.deepEqual(catalogNodes({ solved: 0, total: 0, courses: [] }, 'open'), []);
  });
});
