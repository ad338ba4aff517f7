//! Work that runs beside the server for its whole life (the change feed, the cache refresher). Stopped
//! before the runtime goes, so their connections close cleanly.

use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

pub struct Background {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    /// Work on threads of its own: each says when it has ended, its connections closed.
    threads: Vec<oneshot::Receiver<()>>,
}

impl Default for Background {
    fn default() -> Self {
        Self {
            stop: watch::channel(false).0,
            tasks: Vec::new(),
            threads: Vec::new(),
        }
    }
}

impl Background {
    /// Runs `work` on the current runtime until it ends or [`Self::stop`] is called.
    pub fn spawn(&mut self, work: impl Future<Output = ()> + Send + 'static) {
        let mut stopped = self.stop.subscribe();
        self.tasks.push(tokio::spawn(async move {
            tokio::select! {
                () = work => {}
                _ = stopped.wait_for(|stop| *stop) => {}
            }
        }));
    }

    /// Runs the work `start` makes on a thread of its own, with a runtime of its own, until it ends or
    /// [`Self::stop`] is called. For work whose timing is a promise: on a loaded machine, a task on the
    /// server's main runtime waits behind everything else queued there (the cache refresher decoding a
    /// million rows), and a heartbeat that waits too long makes the whole cache distrusted. The work is
    /// made on that thread, so whatever binds itself to a runtime (a connection pool) binds to its own.
    pub fn spawn_on_own_thread<Work>(
        &mut self,
        name: &str,
        start: impl FnOnce() -> Work + Send + 'static,
    ) -> std::io::Result<()>
    where
        Work: Future<Output = ()> + 'static,
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let mut stopped = self.stop.subscribe();
        let (ended, ended_rx) = oneshot::channel();
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    tokio::select! {
                        () = start() => {}
                        _ = stopped.wait_for(|stop| *stop) => {}
                    }
                });
                // The runtime goes before the word that the work has ended, and the work's
                // connections with it.
                drop(runtime);
                let _ = ended.send(());
            })?;
        self.threads.push(ended_rx);
        Ok(())
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
        for thread in self.threads {
            let _ = thread.await;
        }
    }
}
