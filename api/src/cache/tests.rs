//! The check cache's own rules: races, bounds, expiry and ids that exist nowhere.

use super::*;
use crate::decision::Question;
use expiry::{REFRESH_UNTIL, spread};
use openapi::Role;
use openapi::terms::GrantRole;

fn facts(grants: &[Uuid]) -> UserFacts {
    UserFacts::existing(
        true,
        Role::Employee,
        grants
            .iter()
            .map(|company| (*company, Terms::default()))
            .collect(),
    )
}

#[test]
fn a_load_that_raced_a_change_is_not_stored() {
    let cache = CheckCache::new(CacheSettings::default(), true);
    let company = Uuid::new_v4();
    let before = cache.generation();
    cache.apply(&Changes::user(7));
    cache.store(
        before,
        vec![(7, facts(&[company]))],
        vec![(company, Some(vec![]))],
    );
    assert!(cache.lookup(7, &company).is_none());
    let now = cache.generation();
    cache.store(
        now,
        vec![(7, facts(&[company]))],
        vec![(company, Some(vec![]))],
    );
    assert_eq!(
        cache.lookup(7, &company),
        Some(Facts {
            user: Some(UserFlags {
                is_active: true,
                role: Role::Employee
            }),
            company_exists: true,
            grants: [(company, Terms::default())].into_iter().collect()
        })
    );
    cache.apply(&Changes::user(7));
    assert!(cache.lookup(7, &company).is_none());
}

#[test]
fn untrusted_cache_answers_nothing_and_stores_nothing() {
    let cache = CheckCache::new(CacheSettings::default(), false);
    let company = Uuid::new_v4();
    cache.store(
        cache.generation(),
        vec![(1, facts(&[company]))],
        vec![(company, Some(vec![]))],
    );
    assert!(cache.lookup(1, &company).is_none());
    cache.trust_afresh();
    cache.store(
        cache.generation(),
        vec![(1, facts(&[company]))],
        vec![(company, Some(vec![]))],
    );
    assert!(cache.lookup(1, &company).is_some());
    cache.distrust();
    assert!(cache.lookup(1, &company).is_none());
    assert!(cache.is_empty());
}

#[test]
fn a_silent_feed_suspends_the_cache_and_a_current_heartbeat_resumes_it_with_what_it_held() {
    let cache = CheckCache::new(CacheSettings::default(), false);
    let company = Uuid::new_v4();
    cache.require_feed_within(Duration::from_millis(1_000));
    let listening_since = now_millis();
    cache.feed_heard(listening_since);
    cache.trust_afresh();
    assert_eq!(cache.fresh_starts(), 1);
    cache.store(
        cache.generation(),
        vec![(1, facts(&[company])), (2, facts(&[company]))],
        vec![(company, Some(vec![]))],
    );
    assert!(cache.lookup(1, &company).is_some());

    cache.suspend();
    assert!(cache.lookup(1, &company).is_none(), "nothing from memory");
    assert_eq!(cache.distrust_count(), 1);
    // Delivered while suspended: still applied.
    cache.apply(&Changes::user(2));
    assert_eq!(cache.len().0, 1, "kept, less what changed");

    cache.resume();
    assert!(cache.lookup(1, &company).is_some(), "served again as held");
    assert!(
        cache.lookup(2, &company).is_none(),
        "the change stays applied"
    );
    assert_eq!(cache.fresh_starts(), 1, "no fresh start, no warm-up");

    cache.distrust();
    assert!(cache.is_empty(), "a lost feed forgets everything");
}

#[test]
fn a_heartbeat_proves_the_feed_current_only_up_to_when_it_was_sent() {
    let cache = CheckCache::new(CacheSettings::default(), true);
    cache.require_feed_within(Duration::from_millis(1_000));
    let now = now_millis();
    // Sent five seconds ago, heard only now (a connection that stalled): not current.
    cache.feed_heard(now - 5_000);
    assert!(!cache.is_current(now));
    assert!(!cache.is_trusted());
    cache.feed_heard(now - 900);
    assert!(cache.is_current(now));
    assert!(
        !cache.is_current(now + 101),
        "the bound runs from the sending"
    );
    // An older heartbeat heard after a newer one takes nothing back.
    cache.feed_heard(now - 5_000);
    assert!(cache.is_current(now));
}

#[test]
fn the_cache_stays_within_its_capacity() {
    let cache = CheckCache::new(
        CacheSettings {
            capacity: 100,
            ttl: Duration::from_secs(60),
        },
        true,
    );
    for user in 0..1000 {
        cache.store(cache.generation(), vec![(user, facts(&[]))], vec![]);
    }
    assert!(cache.len().0 <= 100);
}

#[test]
fn entries_expire() {
    let cache = CheckCache::new(
        CacheSettings {
            capacity: 10,
            ttl: Duration::from_millis(0),
        },
        true,
    );
    let company = Uuid::new_v4();
    cache.store(
        cache.generation(),
        vec![(1, facts(&[]))],
        vec![(company, Some(vec![]))],
    );
    assert!(cache.lookup(1, &company).is_none());
}

#[test]
fn entries_read_are_due_for_refresh_before_they_expire_and_unread_ones_are_dropped() {
    let ttl = Duration::from_secs(2);
    let cache = CheckCache::new(CacheSettings { capacity: 10, ttl }, true);
    let company = Uuid::new_v4();
    cache.store(
        cache.generation(),
        vec![(1, facts(&[company])), (2, facts(&[]))],
        vec![(company, Some(vec![]))],
    );
    assert!(cache.lookup(1, &company).is_some());
    assert_eq!(cache.due_for_refresh(), (vec![], vec![]), "too young");
    std::thread::sleep(ttl.mul_f64(REFRESH_UNTIL) + Duration::from_millis(20));
    assert_eq!(cache.due_for_refresh(), (vec![1], vec![company]));
    std::thread::sleep(ttl);
    assert_eq!(cache.due_for_refresh(), (vec![], vec![]));
    assert!(cache.is_empty(), "expired entries are dropped");
}

#[test]
fn a_refreshed_entry_is_not_due_again_until_read_again() {
    let ttl = Duration::from_secs(2);
    let cache = CheckCache::new(CacheSettings { capacity: 10, ttl }, true);
    let company = Uuid::new_v4();
    cache.store(
        cache.generation(),
        vec![(1, facts(&[]))],
        vec![(company, Some(vec![]))],
    );
    assert!(cache.lookup(1, &company).is_some());
    std::thread::sleep(ttl.mul_f64(REFRESH_UNTIL) + Duration::from_millis(20));
    let (users, _) = cache.due_for_refresh();
    cache.store(
        cache.generation(),
        users.into_iter().map(|id| (id, facts(&[]))).collect(),
        vec![],
    );
    assert_eq!(cache.due_for_refresh().0, Vec::<i32>::new());
    assert_eq!(
        CheckCache::new(CacheSettings { capacity: 0, ttl }, true).refresh_every(),
        None
    );
    assert_eq!(cache.refresh_every(), Some(Duration::from_millis(50)));
    assert!((0..1000).map(spread).all(|x| (0.0..1.0).contains(&x)));
}

#[test]
fn loading_again_what_a_full_cache_holds_evicts_nothing() {
    let cache = CheckCache::new(
        CacheSettings {
            capacity: 100,
            ttl: Duration::from_secs(60),
        },
        true,
    );
    let all: Vec<(i32, UserFacts)> = (0..100).map(|user| (user, facts(&[]))).collect();
    cache.store(cache.generation(), all.clone(), vec![]);
    cache.store(cache.generation(), all, vec![]);
    assert_eq!(cache.len().0, 100);
}

#[test]
fn users_sharing_companies_do_not_flush_the_cache_and_outsized_users_are_not_cached() {
    let cache = CheckCache::new(
        CacheSettings {
            capacity: 10,
            ttl: Duration::from_secs(60),
        },
        true,
    );
    let shared: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
    for user in 0..10 {
        cache.store(cache.generation(), vec![(user, facts(&shared))], vec![]);
    }
    assert_eq!(cache.len().0, 10);
    let huge: Vec<Uuid> = (0..MIN_INTERNER_BOUND + 1)
        .map(|_| Uuid::new_v4())
        .collect();
    cache.store(cache.generation(), vec![(99, facts(&huge))], vec![]);
    assert_eq!(
        cache.len().0,
        10,
        "the outsized user is left out, the others stay"
    );
}

#[test]
fn ids_that_exist_nowhere_are_answered_from_memory_and_evict_nothing() {
    let cache = CheckCache::new(
        CacheSettings {
            capacity: 10,
            ttl: Duration::from_secs(60),
        },
        true,
    );
    let company = Uuid::new_v4();
    for user in 0..10 {
        cache.store(
            cache.generation(),
            vec![(user, facts(&[company]))],
            vec![(company, Some(vec![]))],
        );
    }
    let nowhere = Uuid::new_v4();
    for user in 100..10_000 {
        cache.store(
            cache.generation(),
            vec![(user, UserFacts::default())],
            vec![(nowhere, None)],
        );
    }
    assert_eq!(cache.len(), (10, 1), "the real entries stay");
    let unknown = cache
        .lookup(9_999, &company)
        .map(|facts| facts.decide(&Question::now(None)).reason);
    assert_eq!(unknown, Some(openapi::access::DecisionReason::UnknownUser));
    let unknown = cache
        .lookup(1, &nowhere)
        .map(|facts| facts.decide(&Question::now(None)).reason);
    assert_eq!(
        unknown,
        Some(openapi::access::DecisionReason::UnknownCompany)
    );
    assert!(cache.lookup(50, &company).is_none(), "never read: unknown");

    assert!(cache.begin_known_ids());
    cache.apply(&Changes::user(50));
    assert!(cache.finish_known_ids((0..10).collect(), vec![company]));
    let unknown = cache
        .lookup(77, &company)
        .map(|facts| facts.decide(&Question::now(None)).reason);
    assert_eq!(unknown, Some(openapi::access::DecisionReason::UnknownUser));
    assert!(
        cache.lookup(50, &company).is_none(),
        "created during the read: asked of the database"
    );
    cache.distrust();
    cache.trust_afresh();
    assert!(
        cache.lookup(77, &company).is_none(),
        "forgotten with the rest"
    );
    assert!(cache.known_ids_due());
}

#[test]
fn terms_are_held_for_the_grants_that_have_them() {
    let cache = CheckCache::new(CacheSettings::default(), true);
    let (plain, timed) = (Uuid::from_u128(9), Uuid::from_u128(3));
    let terms = Terms {
        role: Some(GrantRole::HrManager),
        valid_from: Some(10),
        valid_until: Some(20),
        include_branches: false,
    };
    let user = UserFacts::existing(
        true,
        Role::Employee,
        vec![(plain, Terms::default()), (timed, terms)],
    );
    cache.store(
        cache.generation(),
        vec![(1, user)],
        vec![(plain, Some(vec![])), (timed, Some(vec![]))],
    );
    let grant = |company: &Uuid| {
        cache
            .lookup(1, company)
            .and_then(|facts| facts.grants.first().map(|(_, terms)| *terms))
    };
    assert_eq!(grant(&timed), Some(terms));
    assert_eq!(grant(&plain), Some(Terms::default()));
}

#[test]
fn every_grant_keeps_its_terms_whether_held_in_the_entry_or_beyond_it() {
    for count in [1, INLINE_GRANTS, INLINE_GRANTS + 7] {
        let cache = CheckCache::new(CacheSettings::default(), true);
        // Interned in an order unlike the companies' own, so the sort by index is tested too.
        let companies: Vec<Uuid> = (0..count as u128)
            .map(|i| Uuid::from_u128(1_000 - i * 7))
            .collect();
        let terms_of = |i: usize| Terms {
            role: i.is_multiple_of(3).then_some(GrantRole::Admin),
            valid_from: (i % 4 == 1).then_some(i as i64),
            valid_until: None,
            include_branches: false,
        };
        let user = UserFacts::existing(
            true,
            Role::Employee,
            companies
                .iter()
                .enumerate()
                .map(|(i, company)| (*company, terms_of(i)))
                .collect(),
        );
        cache.store(
            cache.generation(),
            vec![(1, user)],
            companies
                .iter()
                .map(|company| (*company, Some(vec![])))
                .collect(),
        );
        for (i, company) in companies.iter().enumerate() {
            let held = cache
                .lookup(1, company)
                .and_then(|facts| facts.grants.first().map(|(_, terms)| *terms));
            assert_eq!(held, Some(terms_of(i)), "grant {i} of {count}");
        }
        let other = Uuid::from_u128(5);
        cache.store(cache.generation(), vec![], vec![(other, Some(vec![]))]);
        let none = cache
            .lookup(1, &other)
            .map(|facts| facts.decide(&Question::now(None)).reason);
        assert_eq!(none, Some(openapi::access::DecisionReason::NoGrant));
    }
}

#[test]
fn a_cached_user_with_its_grants_inline_costs_no_more_than_one_with_them_apart() {
    // The entry before grants moved in: 56 bytes, plus 48 for the allocation of ten grants.
    assert!(std::mem::size_of::<(i32, CachedUser)>() <= 56 + 48);
}
