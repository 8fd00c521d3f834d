//! GitHub: the Actions environment, the REST calls made after a deploy, and the
//! non-fatal publishing step that ties them together.

pub mod api;
pub mod env;
pub mod publish;

pub use api::{ApiError, CommentAction, DeploymentState, GithubClient, PagesSite};
pub use env::{ActionsEnv, Event, PrAction};
pub use publish::{after_deploy, remove_preview, PublishInfo, PublishReport, Warning};
