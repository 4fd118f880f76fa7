package sqlstore

import (
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// store holds a SQLite database's pools. It rides on the *gorm.DB as a GORM
// plugin, so that whoever holds the handle reaches them (WritesInFlight,
// Close) without a registry of its own.
type store struct {
	write, read *sql.DB
	checkpoint  *sql.DB // one connection, the checkpoint loop's
	stop, done  chan struct{}
	maxLog      atomic.Int64 // log frames past which a checkpoint holds the writer (checkpoint.go)
	restarts    atomic.Int64 // RESTART checkpoints that emptied the log (for the tests)

	// The writes committed in groups (group.go).
	db         *gorm.DB      // the handle the groups' transactions begin on
	wake       chan struct{} // a write has queued (room for one)
	writesDone chan struct{} // the loop of writes has ended
	gmu        sync.Mutex    // guards queued and closed
	queued     []*job
	closed     bool
}

const pluginName = "portfolio:sqlstore"

// Name names the plugin.
func (*store) Name() string { return pluginName }

// Initialize does nothing: the pools are open before the plugin is added.
func (*store) Initialize(*gorm.DB) error { return nil }

// storeOf gives db's SQLite pools (nil on PostgreSQL).
func storeOf(db *gorm.DB) *store {
	s, _ := db.Config.Plugins[pluginName].(*store)
	return s
}

// WritesInFlight reports whether a write of this process holds SQLite's
// writer connection or waits for its group (others then queue behind it): the admission of reads
// (web.Admission) lets fewer in meanwhile, so the one writer at a time shares
// the cores with fewer of them. Always false on PostgreSQL, which runs writers
// side by side.
func WritesInFlight(db *gorm.DB) bool {
	s := storeOf(db)
	if s == nil {
		return false
	}
	s.gmu.Lock()
	queued := len(s.queued) > 0
	s.gmu.Unlock()
	return queued || s.write.Stats().InUse > 0
}

// Close stops the checkpoint loop and closes every pool. On SQLite the last
// connection to close folds the write-ahead log into the database file.
func Close(db *gorm.DB) error {
	s := storeOf(db)
	if s == nil {
		sqlDB, err := db.DB()
		if err != nil {
			return err
		}
		return sqlDB.Close()
	}
	select {
	case <-s.stop:
		return nil // closed already
	default:
	}
	close(s.stop)
	<-s.done
	<-s.writesDone
	return errors.Join(s.checkpoint.Close(), s.read.Close(), s.write.Close())
}
