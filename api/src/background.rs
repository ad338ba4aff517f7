//! Work that runs beside the server for its whole life (the change feed, the cache refresher). Stopped
//! before the runtime goes, so their connections close cleanly.

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub struct Background {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Default for Background {
    fn default() -> Self {
        Self {
            stop: watch::channel(false).0,
            tasks: Vec::new(),
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

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}
