/**
 * The `codegym/catalog` answer → the nodes of the exercises tree and the progress summary.
 * Pure: `catalogTree.ts` turns the nodes into VS Code tree items.
 */

import type { Catalog, CatalogExercise, ExerciseStatus } from './protocol';

export interface NodeIcon {
  /** A codicon name (`ThemeIcon` id). */
  id: string;
  /** A theme color id. */
  color?: string;
}

export interface NodeCommand {
  command: string;
  title: string;
  arguments: unknown[];
}

export interface CatalogNode {
  /** Stable across refreshes, so the tree keeps its expansion state. */
  id: string;
  kind: 'course' | 'topic' | 'exercise';
  label: string;
  description: string;
  tooltip: string;
  icon?: NodeIcon;
  command?: NodeCommand;
  /** An exercise's file URI in the workspace, when it has one. */
  file?: string;
  expanded: boolean;
  children: CatalogNode[];
}

export const STATUS_ICONS: Readonly<Record<ExerciseStatus, NodeIcon>> = {
  solved: { id: 'pass-filled', color: 'testing.iconPassed' },
  attempted: { id: 'circle-filled', color: 'testing.iconQueued' },
  new: { id: 'circle-outline' },
};

const STATUS_WORDS: Readonly<Record<ExerciseStatus, string>> = {
  solved: 'solved',
  attempted: 'attempted, not solved yet',
  new: 'not attempted yet',
};

/**
 * Courses → topics → exercises. Courses start expanded; within each course, the topic holding
 * the first unsolved exercise (in course order, as "Next exercise" picks it) starts expanded.
 * `openCommand` is the client command that opens an exercise, given its id.
 */
export function catalogNodes(catalog: Catalog, openCommand: string): CatalogNode[] {
  return catalog.courses.map((course) => {
    const exercises = course.topics.flatMap((topic) => topic.exercises);
    const next = exercises.find((exercise) => exercise.status !== 'solved');
    return {
      id: `course:${course.id}`,
      kind: 'course',
      label: course.title,
      description: fraction(exercises),
      tooltip: `${course.title}: ${fraction(exercises)} exercises solved`,
      expanded: true,
      children: course.topics.map((topic) => ({
        id: `topic:${course.id}/${topic.id}`,
        kind: 'topic',
        label: topic.title,
        description: fraction(topic.exercises),
        tooltip: `${topic.title}: ${fraction(topic.exercises)} exercises solved`,
        expanded: next !== undefined && topic.exercises.includes(next),
        children: topic.exercises.map((exercise) => exerciseNode(exercise, openCommand)),
      })),
    };
  });
}

function exerciseNode(exercise: CatalogExercise, openCommand: string): CatalogNode {
  const concepts = exercise.concepts.length > 0 ? `\nConcepts: ${exercise.concepts.join(', ')}` : '';
  const file = exercise.file === null ? '\nNo file yet: opening it creates the file.' : '';
  return {
    id: `exercise:${exercise.id}`,
    kind: 'exercise',
    label: exercise.title,
    description: exercise.difficulty,
    tooltip: `${exercise.title} (${exercise.id}): ${STATUS_WORDS[exercise.status]}${concepts}${file}`,
    icon: STATUS_ICONS[exercise.status],
    command: { command: openCommand, title: 'Open exercise', arguments: [exercise.id] },
    ...(exercise.file === null ? {} : { file: exercise.file }),
    expanded: false,
    children: [],
  };
}

function fraction(exercises: readonly CatalogExercise[]): string {
  const solved = exercises.filter((exercise) => exercise.status === 'solved').length;
  return `${solved}/${exercises.length}`;
}

/** The file URIs of the exercises that have one. */
export function exerciseFiles(catalog: Catalog): string[] {
  return catalog.courses.flatMap((course) =>
    course.topics.flatMap((topic) => topic.exercises.flatMap((exercise) => (exercise.file === null ? [] : [exercise.file]))),
  );
}

/** True when at least one exercise has a file in the workspace. */
export function hasExerciseFiles(catalog: Catalog): boolean {
  return catalog.courses.some((course) =>
    course.topics.some((topic) => topic.exercises.some((exercise) => exercise.file !== null)),
  );
}

/** The status bar text: "Code Gym 12/60 ✓". */
export function progressSummary(catalog: Catalog): string {
  return `Code Gym ${catalog.solved}/${catalog.total} ✓`;
}
