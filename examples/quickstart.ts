/**
 * The README's first command: `npm run quickstart`.
 *
 * Named loggers, basicConfig with a Python format, a file handler, and an exception, exactly as a Python service
 * would set them up.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicConfig, FileHandler, Formatter, getLogger, INFO, kw, shutdown, DEBUG } from 'pylogging';

const FORMAT = '%(asctime)s %(levelname)s %(name)s: %(message)s';
basicConfig({ level: INFO, format: FORMAT }); // the root logger writes to stderr

const logFile = join(mkdtempSync(join(tmpdir(), 'pylogging-quickstart-')), 'app.log');
const file = new FileHandler(logFile);
file.setLevel(DEBUG);
file.setFormatter(new Formatter('%(asctime)s %(levelname)-8s %(name)s [%(filename)s:%(lineno)d]: %(message)s'));

const db = getLogger('app.db');
db.setLevel(DEBUG);
db.addHandler(file); // app.db writes to the file and, through propagation, to stderr

const web = getLogger('app.web');

// As in Python, a logger's level gates records where they are made; propagated records meet only handler levels,
// so this DEBUG record reaches the file and the root's stderr handler alike.
db.debug('connecting to %s:%d', 'db.internal', 5432);
db.info('query took %d ms for user %s', 12, 'alice');
web.warning('slow request: %(path)s took %(ms).1f ms', { path: '/api/items', ms: 812.345 });

try {
  JSON.parse('{ not json');
} catch (err) {
  web.exception('could not parse the body of request %s', 'req-42', kw({ exc_info: err }));
}

await shutdown();
process.stdout.write(`\n--- ${logFile} ---\n${readFileSync(logFile, 'utf8')}`);
