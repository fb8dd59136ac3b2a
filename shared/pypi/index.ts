// PyPI formats: project names, PEP 440 versions, distribution filenames,
// core metadata, and the simple repository API pages with their content
// negotiation and TUF target paths. Pure functions over strings; storage,
// uploads and routes live in the worker.

export { clipValue, InvalidDistributionError, quoteValue } from './errors.ts';
export { normalizeProjectName, isValidProjectName, isNormalizedProjectName } from './names.ts';
export { isValidVersion, isPrerelease, compareVersions, normalizeVersion, sameVersion } from './version.ts';
export { releaseConflict, type ReleaseVerdict, type ReleaseFile } from './release-rules.ts';
export { parseDistributionFilename, projectOfFilename, type DistributionFilename } from './filenames.ts';
export {
  SIMPLE_API_VERSION,
  INDEX_TARGET_PATHS,
  simpleTargetPaths,
  fileTargetPath,
  metadataTargetPath,
  projectVersions,
  renderProjectJSON,
  renderProjectHTML,
  parseProjectJSON,
  renderIndexJSON,
  renderIndexHTML,
  pageTextProblem,
  type Hashes,
  type SimpleFile,
  type ProjectPage,
  type SimpleTargetPaths,
} from './simple.ts';
export {
  negotiateSimpleFormat,
  SIMPLE_CONTENT_TYPES,
  type NegotiatedFormat,
  type SimpleFormat,
} from './negotiate.ts';
export { packageUrl, parsePackagePath, type PackageRequest } from './package-urls.ts';
export { parseCoreMetadata, type CoreMetadata } from './core-metadata.ts';
