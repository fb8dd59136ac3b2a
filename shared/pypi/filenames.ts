// Distribution filenames: what a wheel or sdist filename says (project,
// version, tags) and which filenames the index accepts at all. A filename
// becomes part of a storage key, a target path and a URL, so anything that
// could escape a directory, hide in a listing or be spelt two ways is
// refused here, before any byte is stored.
//
// Wheels follow the "Binary distribution format" spec; sdists the "Source
// distribution format" spec, which allows only `.tar.gz`. Legacy formats
// (.zip and .tar.bz2 sdists, eggs, Windows installers) are refused, as PyPI
// refuses them.

import { InvalidDistributionError, quoteValue } from './errors.ts';
import { isValidProjectName, normalizeProjectName } from './names.ts';
import { isValidVersion } from './version.ts';

export type DistributionFilename =
  | {
      readonly kind: 'wheel';
      /** The distribution as written in the filename (e.g. 'Foo_Bar'); see projectOfFilename. */
      readonly name: string;
      /** The version as written in the filename; normalizeVersion gives its canonical form. */
      readonly version: string;
      readonly buildTag?: string;
      readonly pythonTags: readonly string[];
      readonly abiTags: readonly string[];
      readonly platformTags: readonly string[];
    }
  | {
      readonly kind: 'sdist';
      readonly name: string;
      readonly version: string;
    };

// Common filesystems (and PyPI) cap a name at 255 bytes.
const MAX_LENGTH = 255;
const ALLOWED = /^[A-Za-z0-9._+!-]+$/;

// Wheel name components may not contain '-' (it separates them); the
// distribution is escaped with '_' for runs of '-_.', though older tools
// also wrote '.' and uppercase letters, which consumers must accept.
const WHEEL_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._]*[A-Z0-9])$/i;
// A build tag must start with a digit: it is sorted as (number, rest).
const BUILD_TAG = /^[0-9][A-Za-z0-9_]*$/;
// One tag of a compressed tag set ('py2.py3', 'manylinux_2_17_x86_64.manylinux2014_x86_64').
const TAG = /^[A-Za-z0-9_]+$/;

// Extensions that are distributions, but not ones this index accepts.
const REFUSED_EXTENSIONS: readonly (readonly [string, string])[] = [
  ['.zip', 'a .zip source distribution'],
  ['.tar.bz2', 'a .tar.bz2 source distribution'],
  ['.tar.xz', 'a .tar.xz source distribution'],
  ['.tar.z', 'a .tar.Z source distribution'],
  ['.tgz', 'a .tgz source distribution'],
  ['.tar', 'a .tar source distribution'],
  ['.egg', 'an egg'],
  ['.exe', 'a Windows installer'],
  ['.msi', 'a Windows installer'],
  ['.rpm', 'an RPM package'],
  ['.deb', 'a Debian package'],
  ['.dmg', 'a macOS disk image'],
];

function invalid(filename: string, reason: string): never {
  throw new InvalidDistributionError(`Invalid distribution filename ${quoteValue(filename)}: ${reason}`);
}

/** Refusals that hold for any filename, whatever its kind. */
function checkSafe(filename: string): void {
  if (filename.length === 0) invalid(filename, 'it is empty');
  if (/[/\\]/.test(filename)) invalid(filename, 'it contains a path separator');
  if (/[\x00-\x1f\x7f]/.test(filename)) invalid(filename, 'it contains a control character');
  if (filename.includes('..')) invalid(filename, "it contains '..'");
  if (filename.startsWith('.')) invalid(filename, 'it starts with a dot');
  if (filename.length > MAX_LENGTH) invalid(filename, `it is longer than ${MAX_LENGTH} characters`);
  if (!ALLOWED.test(filename)) {
    invalid(filename, 'only ASCII letters, digits and the characters . _ + ! - are allowed');
  }
}

function splitTags(what: string, part: string, bad: (reason: string) => never): readonly string[] {
  const tags = part.split('.');
  for (const tag of tags) if (!TAG.test(tag)) bad(`${what} ${quoteValue(part)} is not a '.'-separated set of tags`);
  return tags;
}

function parseWheel(filename: string): DistributionFilename {
  const bad = (reason: string): never => {
    throw new InvalidDistributionError(`Invalid wheel filename ${quoteValue(filename)}: ${reason}`);
  };
  const parts = filename.slice(0, -'.whl'.length).split('-');
  if (parts.length !== 5 && parts.length !== 6) {
    bad('expected {distribution}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl');
  }
  const [name, version] = parts as [string, string];
  const [py, abi, platform] = parts.slice(-3) as [string, string, string];
  const buildTag = parts.length === 6 ? parts[2]! : undefined;
  if (!WHEEL_NAME.test(name)) bad(`${quoteValue(name)} is not a valid distribution name`);
  // packaging's parse_wheel_filename (what PyPI applies) refuses '__': an
  // escaped name never has one, since a run of '-_.' becomes one '_'.
  if (name.includes('__')) bad(`${quoteValue(name)} is not a valid distribution name (it contains '__')`);
  if (!isValidVersion(version)) bad(`${quoteValue(version)} is not a valid PEP 440 version`);
  if (buildTag !== undefined && !BUILD_TAG.test(buildTag)) {
    bad(`build tag ${quoteValue(buildTag)} must start with a digit`);
  }
  return {
    kind: 'wheel',
    name,
    version,
    ...(buildTag !== undefined && { buildTag }),
    pythonTags: splitTags('python tag', py, bad),
    abiTags: splitTags('abi tag', abi, bad),
    platformTags: splitTags('platform tag', platform, bad),
  };
}

function parseSdist(filename: string): DistributionFilename {
  const stem = filename.slice(0, -'.tar.gz'.length);
  // The spec writes the name with '_' for '-', but older sdists kept the
  // hyphens ('python-dateutil-2.8.2.tar.gz'), while a version never
  // contains one in the filename: split at the last hyphen.
  const at = stem.lastIndexOf('-');
  const bad = (reason: string): never => {
    throw new InvalidDistributionError(`Invalid sdist filename ${quoteValue(filename)}: ${reason}`);
  };
  if (at < 0) bad('expected {name}-{version}.tar.gz');
  const name = stem.slice(0, at);
  const version = stem.slice(at + 1);
  if (!isValidProjectName(name)) bad(`${quoteValue(name)} is not a valid project name`);
  if (!isValidVersion(version)) bad(`${quoteValue(version)} is not a valid PEP 440 version`);
  return { kind: 'sdist', name, version };
}

/**
 * Parses a wheel (`.whl`) or sdist (`.tar.gz`) filename. Name and version
 * are returned as written; validity is checked, normalisation is left to
 * projectOfFilename and normalizeVersion.
 *
 * @throws {InvalidDistributionError} for an unsafe filename, an unsupported
 *   kind of distribution, or a name, version or tag that breaks the specs.
 */
export function parseDistributionFilename(filename: string): DistributionFilename {
  checkSafe(filename);
  if (filename.endsWith('.whl')) return parseWheel(filename);
  if (filename.endsWith('.tar.gz')) return parseSdist(filename);
  const lower = filename.toLowerCase();
  if (lower.endsWith('.whl') || lower.endsWith('.tar.gz')) {
    invalid(filename, "the extension must be lowercase ('.whl' or '.tar.gz')");
  }
  for (const [extension, what] of REFUSED_EXTENSIONS) {
    if (lower.endsWith(extension)) {
      invalid(filename, `${what} is not accepted; upload a wheel (.whl) or a source distribution (.tar.gz)`);
    }
  }
  return invalid(filename, 'only wheels (.whl) and source distributions (.tar.gz) are accepted');
}

/** The normalised project name a parsed filename belongs to ('Foo_Bar' -> 'foo-bar'). */
export function projectOfFilename(f: DistributionFilename): string {
  return normalizeProjectName(f.name);
}
