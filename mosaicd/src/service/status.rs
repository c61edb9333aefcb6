use mosaic_shared::types::{Counts, DatabaseInfo, Status};

use crate::app::App;
use crate::error::Result;
use crate::store::{counts, system_config};

impl App {
    pub async fn status(&self) -> Result<Status> {
        let mut ex = self.db.ex();
        let counts = counts::counts(&mut ex).await?;
        let onboarding_complete = system_config::flag(&mut ex, system_config::ONBOARDING_COMPLETED).await?;
        Ok(Status {
            version: mosaic_shared::VERSION.to_string(),
            protocol: mosaic_shared::PROTOCOL_VERSION,
            uptime_seconds: self.started.elapsed().as_secs(),
            database: DatabaseInfo {
                backend: self.db.backend().name().to_string(),
                location: self.db.location().to_string(),
            },
            onboarding_complete,
            counts: Counts {
                users: counts.users as u64,
                providers: counts.providers as u64,
                running_containers: counts.running_containers as u64,
            },
        })
    }
}
