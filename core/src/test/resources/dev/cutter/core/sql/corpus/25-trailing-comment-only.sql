select 1;
/* a comment left at the end */
