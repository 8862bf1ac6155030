// CI must prove the suite on a real PostgreSQL server: running there without one would quietly
// leave the race and concurrency suites out.
export default function globalSetup() {
  if (process.env.CI === 'true' && !process.env.DATABASE_URL) {
    throw new Error('CI=true but DATABASE_URL is not set: the real-PostgreSQL suites would not run.');
  }
}
