//! The organisation tree as plain data: subtrees, depth-first order and cycle checks. The table is
//! small (a district has hundreds of organisations), so it is loaded whole and walked in memory.

use crate::error::AppError;
use crate::model::entities::organisation;
use crate::types::{OrgKind, OrgNode};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use std::collections::{HashMap, HashSet};

#[derive(Clone, Debug)]
pub struct OrgTree {
    nodes: HashMap<i64, organisation::Model>,
    children: HashMap<Option<i64>, Vec<i64>>,
}

impl OrgTree {
    pub fn new(orgs: Vec<organisation::Model>) -> Self {
        let mut children: HashMap<Option<i64>, Vec<i64>> = HashMap::new();
        for o in &orgs {
            children.entry(o.parent_id).or_default().push(o.id);
        }
        let nodes: HashMap<i64, organisation::Model> =
            orgs.into_iter().map(|o| (o.id, o)).collect();
        // Siblings in a stable, readable order: by name (pinyin-agnostic but deterministic).
        for ids in children.values_mut() {
            ids.sort_by(|a, b| nodes[a].name.cmp(&nodes[b].name).then(a.cmp(b)));
        }
        OrgTree { nodes, children }
    }

    /// # Errors
    /// A database error, as `Internal`.
    pub async fn load(db: &impl ConnectionTrait) -> Result<Self, AppError> {
        let orgs = organisation::Entity::find()
            .order_by_asc(organisation::Column::Id)
            .all(db)
            .await?;
        Ok(Self::new(orgs))
    }

    pub fn get(&self, id: i64) -> Option<&organisation::Model> {
        self.nodes.get(&id)
    }

    /// `id` and everything below it.
    pub fn subtree(&self, id: i64) -> HashSet<i64> {
        let mut out = HashSet::new();
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            if self.nodes.contains_key(&n) && out.insert(n) {
                if let Some(kids) = self.children.get(&Some(n)) {
                    stack.extend(kids);
                }
            }
        }
        out
    }

    /// True when `node` is `ancestor` or lies below it.
    pub fn is_within(&self, node: i64, ancestor: i64) -> bool {
        let mut cur = Some(node);
        let mut steps = 0;
        while let Some(id) = cur {
            if id == ancestor {
                return true;
            }
            cur = self.nodes.get(&id).and_then(|o| o.parent_id);
            steps += 1;
            if steps > self.nodes.len() {
                return false; // a cycle in stored data; never loop forever
            }
        }
        false
    }

    /// The subtree under `root` in depth-first order, with depths relative to `root`.
    pub fn listing(&self, root: i64) -> Vec<OrgNode> {
        let mut out = Vec::new();
        let mut stack = vec![(root, 0usize)];
        while let Some((id, depth)) = stack.pop() {
            let Some(o) = self.nodes.get(&id) else {
                continue;
            };
            out.push(OrgNode {
                id,
                name: o.name.clone(),
                kind: OrgKind::parse(&o.kind).unwrap_or(OrgKind::OtherGrassroots),
                parent_id: o.parent_id,
                active: o.active,
                depth,
            });
            if let Some(kids) = self.children.get(&Some(id)) {
                stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
            }
        }
        out
    }

    /// The direct children of `id`, in display order.
    pub fn children(&self, id: i64) -> &[i64] {
        self.children.get(&Some(id)).map_or(&[], |v| v.as_slice())
    }

    /// The child of `ancestor` on the way down to `node` (`None` when `node` is `ancestor` itself
    /// or not below it).
    pub fn child_towards(&self, ancestor: i64, node: i64) -> Option<i64> {
        let mut cur = node;
        for _ in 0..=self.nodes.len() {
            let parent = self.nodes.get(&cur)?.parent_id?;
            if parent == ancestor {
                return Some(cur);
            }
            cur = parent;
        }
        None
    }

    /// Each organisation's parent.
    pub fn parents(&self) -> HashMap<i64, Option<i64>> {
        self.nodes.values().map(|o| (o.id, o.parent_id)).collect()
    }

    /// The root of the tree (the district).
    pub fn root(&self) -> Option<i64> {
        self.children.get(&None).and_then(|r| r.first().copied())
    }

    pub fn has_active_children(&self, id: i64) -> bool {
        self.children
            .get(&Some(id))
            .is_some_and(|kids| kids.iter().any(|k| self.nodes[k].active))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn org(id: i64, parent: Option<i64>, name: &str) -> organisation::Model {
        organisation::Model {
            id,
            uuid: uuid::Uuid::new_v4(),
            name: name.into(),
            kind: if parent.is_none() {
                "district"
            } else {
                "school"
            }
            .into(),
            parent_id: parent,
            active: true,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn tree() -> OrgTree {
        // 1 ─┬─ 2 ── 4
        //    └─ 3 ── 5 ── 6
        OrgTree::new(vec![
            org(1, None, "区团委"),
            org(2, Some(1), "A街道"),
            org(3, Some(1), "B园区"),
            org(4, Some(2), "A小学"),
            org(5, Some(3), "B企业"),
            org(6, Some(5), "B车间"),
        ])
    }

    #[test]
    fn a_subtree_holds_the_node_and_all_below_it() {
        let t = tree();
        assert_eq!(t.subtree(3), HashSet::from([3, 5, 6]));
        assert_eq!(t.subtree(1).len(), 6);
        assert_eq!(t.subtree(4), HashSet::from([4]));
        assert!(t.subtree(99).is_empty());
    }

    #[test]
    fn within_follows_parents_up_to_the_root() {
        let t = tree();
        assert!(t.is_within(6, 3));
        assert!(t.is_within(6, 6));
        assert!(!t.is_within(4, 3));
        assert!(!t.is_within(1, 2));
    }

    #[test]
    fn listing_is_depth_first_with_depths() {
        let t = tree();
        let l: Vec<(i64, usize)> = t.listing(1).iter().map(|n| (n.id, n.depth)).collect();
        assert_eq!(l, vec![(1, 0), (2, 1), (4, 2), (3, 1), (5, 2), (6, 3)]);
        let sub: Vec<i64> = t.listing(3).iter().map(|n| n.id).collect();
        assert_eq!(sub, vec![3, 5, 6]);
    }

    #[test]
    fn the_child_towards_a_node_is_found_for_roll_ups() {
        let t = tree();
        assert_eq!(t.child_towards(1, 6), Some(3));
        assert_eq!(t.child_towards(3, 6), Some(5));
        assert_eq!(t.child_towards(1, 1), None);
        assert_eq!(t.child_towards(2, 6), None);
        assert_eq!(t.children(1), &[2, 3]);
        assert_eq!(t.root(), Some(1));
    }

    #[test]
    fn active_children_are_seen() {
        let mut t = tree();
        assert!(t.has_active_children(5));
        t.nodes.get_mut(&6).unwrap().active = false;
        assert!(!t.has_active_children(5));
        assert!(!t.has_active_children(4));
    }
}
