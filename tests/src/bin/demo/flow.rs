//! The demo's steps, in order, on a stack that stops when this future is dropped.

use std::time::Instant;

use anyhow::Context;
use harness::api::Api;
use harness::instance::instance_body;
use harness::magento_admin::admin_client;
use harness::odoo_rpc::OdooRpc;
use harness::{Stack, StackOptions};

use crate::Args;
use crate::{bulk, report, single};

/// The instance the demo registers.
const INSTANCE_ID: &str = "demo-store";

/// Rows of the closing list view.
const LISTED_CUSTOMERS: u32 = 10;

/// Runs every step. Dropping the future, as Ctrl-C does, drops the stack and so stops
/// every service.
pub async fn run(args: &Args) -> anyhow::Result<()> {
    let started = Instant::now();

    step(
        1,
        "Starting moto, the sandboxes and the functions under cargo lambda watch",
    );
    let options = StackOptions {
        seed: args.seed,
        magento_customers: args.customers,
        odoo_partners: args.partners,
        odoo_version: args.odoo_version,
        functions: true,
        ..StackOptions::default()
    };
    let log_dir = options.log_dir.clone();
    let stack = Stack::start(&options).await?;
    let functions_url = stack
        .functions_url
        .clone()
        .context("the stack started without the functions")?;
    println!(
        "  Magento sandbox: {} customers at {}",
        args.customers,
        stack.magento["base_url"].as_str().unwrap_or_default()
    );
    println!(
        "  Odoo {} sandbox: {} partner slots, every third one a Magento customer's email in another letter case",
        args.odoo_version, args.partners
    );
    println!(
        "  functions: {functions_url}/lambda-url/<function>/...; logs in {}",
        log_dir.display()
    );

    step(2, "Registering the instance through POST /instances");
    let api = Api::new(&functions_url)?;
    let body = instance_body(INSTANCE_ID, &stack.magento, &stack.odoo)?;
    let instance = api
        .post("/instances", &body)
        .await?
        .expect_status(201, "register the instance")?;
    println!(
        "  instance {INSTANCE_ID} registered; credentials {} (in Secrets Manager)",
        instance["credentials"]
    );

    step(3, "Bulk sync: every Magento customer into Odoo");
    let job = bulk::run(&api, INSTANCE_ID).await?;

    let odoo = OdooRpc::from_ready_line(&stack.odoo).await?;
    step(4, "Create in Magento from an Odoo partner");
    let created = single::create_from_partner(&api, &odoo, INSTANCE_ID).await?;
    print_action(&created);

    step(5, "Update in Magento after a change in Odoo");
    let updated = single::update_after_odoo_change(&api, &odoo, INSTANCE_ID, &created).await?;
    print_action(&updated);

    step(6, "Pull from Magento after a change in Magento");
    let magento_admin = admin_client(&stack.magento)?;
    let pulled = single::pull_after_magento_change(&api, &magento_admin, INSTANCE_ID, 2).await?;
    print_action(&pulled);

    report::print_summary(&job, &[created, updated, pulled], started.elapsed());

    let page = api
        .get(&format!(
            "/instances/{INSTANCE_ID}/customers?limit={LISTED_CUSTOMERS}"
        ))
        .await?
        .expect_status(200, "list the customers")?;
    let customers = page["customers"].as_array().cloned().unwrap_or_default();
    println!();
    println!(
        "First {} customers (GET /instances/{INSTANCE_ID}/customers)",
        customers.len()
    );
    println!("{}", report::customers_table(&customers));

    println!();
    println!("Stopping every service the demo started.");
    drop(stack);
    Ok(())
}

fn step(number: u32, title: &str) {
    println!();
    println!("[{number}/6] {title}");
}

fn print_action(action: &single::Action) {
    let reason = action
        .reason
        .as_deref()
        .map(|reason| format!(" ({reason})"))
        .unwrap_or_default();
    println!(
        "  {}: {}{reason}; Magento customer {}, Odoo partner {}",
        action.name,
        action.outcome,
        action
            .magento_id
            .map_or("-".to_owned(), |id| id.to_string()),
        action
            .odoo_partner_id
            .map_or("-".to_owned(), |id| id.to_string()),
    );
}
