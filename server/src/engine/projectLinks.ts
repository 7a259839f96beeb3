// Where the project lives on the web: the one place that names it. package.json's repository,
// homepage and bugs say the same (test/engine/projectLinks.test.ts).
export const REPOSITORY_URL = 'https://github.com/grpc-fork-guard/grpc-fork-guard';

/** A file of the repository's default branch, as GitHub shows it. */
export function repositoryFileUrl(relativePath: string): string {
  return `${REPOSITORY_URL}/blob/main/${relativePath}`;
}
