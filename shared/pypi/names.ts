// Project names: which names are valid and how they are normalised (PyPA
// "Names and normalization", PEP 503). The normalised name is the identity
// of a project everywhere in tuf-edge: target paths, simple URLs, storage.
// Two spellings that normalise alike ("Foo.Bar", "foo-bar") are one project,
// so an uploader can not shadow another project by changing case or dots.

// Core metadata "Name": ASCII letters and digits, with '.', '_' and '-'
// allowed only between them.
const VALID_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

// What normalizeProjectName returns for a valid name: lowercase alphanumeric
// runs joined by single hyphens.
const NORMALIZED_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * PEP 503 normalisation: lowercase, every run of '-', '_' and '.' becomes one
 * '-'. It does not validate: normalise only names that passed
 * isValidProjectName (or came from a parsed filename).
 */
export function normalizeProjectName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/**
 * Longest project name accepted. The spec sets no limit, but a name is part
 * of every filename of the project, which is at most 255 characters
 * (filenames.ts), so no longer name could ever have a file; and a route must
 * be able to refuse a name without reading storage.
 */
export const MAX_PROJECT_NAME_LENGTH = 255;

/** The core metadata rule for a project name (case-insensitive), within MAX_PROJECT_NAME_LENGTH. */
export function isValidProjectName(name: string): boolean {
  return name.length <= MAX_PROJECT_NAME_LENGTH && VALID_NAME.test(name);
}

/**
 * Whether `name` is valid and already in normalised form. Routes answer a
 * request for any other valid spelling with a redirect to the normalised one.
 */
export function isNormalizedProjectName(name: string): boolean {
  return NORMALIZED_NAME.test(name);
}
