//! One page of a list: every paged list (the dashboard, the inbox, users, rosters, the review
//! queue) reads the asked page the same way.

/// Which page of how many, `size` rows a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    pub page: usize,
    pub pages: usize,
    pub size: usize,
}

impl Paging {
    /// The page asked for (`"3"`; empty or unreadable: the first; past the end: the last) of
    /// `matching` rows.
    pub fn new(asked: &str, matching: usize, size: usize) -> Paging {
        let size = size.max(1);
        let pages = matching.div_ceil(size).max(1);
        let page = asked.trim().parse::<usize>().unwrap_or(1).clamp(1, pages);
        Paging { page, pages, size }
    }

    /// Rows before this page.
    pub fn skip(self) -> usize {
        (self.page - 1) * self.size
    }

    /// `OFFSET` and `LIMIT` for a query.
    pub fn offset(self) -> u64 {
        u64::try_from(self.skip()).unwrap_or(0)
    }

    pub fn limit(self) -> u64 {
        u64::try_from(self.size).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_asked_page_is_kept_within_the_list() {
        assert_eq!(
            Paging::new("", 0, 20),
            Paging {
                page: 1,
                pages: 1,
                size: 20
            }
        );
        assert_eq!(Paging::new("2", 41, 20).skip(), 20);
        assert_eq!(Paging::new("9", 41, 20).page, 3);
        assert_eq!(Paging::new("x", 41, 20).page, 1);
        assert_eq!(Paging::new("0", 41, 20).page, 1);
        assert_eq!(Paging::new("3", 41, 20).limit(), 20);
    }
}
