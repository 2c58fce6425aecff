// Azurite's Table database (LokiJS) as a stream of changes, and changes applied back to it. A change
// names its document by the keys Azurite finds it by (PartitionKey and RowKey; a table by account and
// name; service properties by account), never by Loki's own $loki number, and carries the whole document:
// applying changes to a database that already holds them leaves it as it was, so replaying a journal
// twice, or onto a save taken after the journal began, gives the same database.

/** The parts of a Loki collection used here. */
export interface LokiCollection {
  readonly name: string;
  on(event: 'insert' | 'update' | 'delete', listener: (doc: LokiDocument | LokiDocument[]) => void): void;
  findOne(query: Record<string, unknown>): LokiDocument | null;
  insert(doc: object): unknown;
  remove(doc: LokiDocument): unknown;
}

/** The parts of a Loki database used here. */
export interface LokiDatabase {
  collections: LokiCollection[];
  addCollection(name: string, options?: object): LokiCollection;
  removeCollection(name: string): void;
}

export type LokiDocument = Record<string, unknown>;

export type TableChange =
  | { readonly put: string; readonly doc: LokiDocument }
  | { readonly remove: string; readonly key: LokiDocument }
  | { readonly create: string; readonly options?: object }
  | { readonly drop: string };

// Azurite's two system collections (LokiTableMetadataStore); every other collection is a table's entities.
const TABLES = '$TABLES_COLLECTION$';
const SERVICES = '$SERVICES_COLLECTION$';

function keyOf(collection: string, doc: LokiDocument): LokiDocument {
  if ('PartitionKey' in doc && 'RowKey' in doc) return { PartitionKey: doc.PartitionKey, RowKey: doc.RowKey };
  if (collection === TABLES) return { account: doc.account, table: doc.table };
  if (collection === SERVICES) return { accountName: doc.accountName };
  throw new Error(`Table journal: no key for a document of collection '${collection}'`);
}

function collectionNamed(db: LokiDatabase, name: string): LokiCollection | undefined {
  return db.collections.find((collection) => collection.name === name);
}

/**
 * Calls `record` with every change made to `db` from now on, as JSON text written at once (Azurite may
 * change a stored document later; the record is what it was). Collections added later are watched too.
 */
export function watchChanges(db: LokiDatabase, record: (change: string) => void): void {
  const put = (collection: string, doc: LokiDocument) => {
    const { $loki: _id, meta: _meta, ...fields } = doc;
    record(JSON.stringify({ put: collection, doc: fields }));
  };
  const watch = (collection: LokiCollection) => {
    collection.on('insert', (docs) => {
      for (const doc of Array.isArray(docs) ? docs : [docs]) put(collection.name, doc);
    });
    collection.on('update', (doc) => put(collection.name, doc as LokiDocument));
    collection.on('delete', (doc) =>
      record(JSON.stringify({ remove: collection.name, key: keyOf(collection.name, doc as LokiDocument) })),
    );
  };
  for (const collection of db.collections) watch(collection);
  const addCollection = db.addCollection.bind(db);
  db.addCollection = (name, options) => {
    const existed = collectionNamed(db, name) !== undefined;
    const collection = addCollection(name, options);
    if (!existed) {
      record(JSON.stringify({ create: name, ...(options && { options }) }));
      watch(collection);
    }
    return collection;
  };
  const removeCollection = db.removeCollection.bind(db);
  db.removeCollection = (name) => {
    if (collectionNamed(db, name)) record(JSON.stringify({ drop: name }));
    removeCollection(name);
  };
}

/**
 * Applies changes in order. A put replaces the document with its keys or adds it; a remove of a document
 * that is gone does nothing; a change to a collection that is gone does nothing (a later drop in the same
 * journal removed it from the save it is replayed onto).
 */
export function applyChanges(db: LokiDatabase, changes: Iterable<TableChange>): void {
  for (const change of changes) {
    if ('put' in change) {
      const collection = collectionNamed(db, change.put);
      if (!collection) continue;
      const existing = collection.findOne(keyOf(change.put, change.doc));
      if (existing) collection.remove(existing);
      collection.insert({ ...change.doc }); // Loki adds its $loki and meta to the object it is given
    } else if ('remove' in change) {
      const collection = collectionNamed(db, change.remove);
      const existing = collection?.findOne(change.key);
      if (existing) collection?.remove(existing);
    } else if ('create' in change) {
      if (!collectionNamed(db, change.create)) db.addCollection(change.create, change.options);
    } else {
      db.removeCollection(change.drop);
    }
  }
}
