-- Workshop mode's shells: how many a seat may have open at once, and whether a lab being graded
-- accepts one.
ALTER TABLE workshops ADD COLUMN seat_shells INTEGER NOT NULL DEFAULT 2;
ALTER TABLE workshops ADD COLUMN shells_while_graded INTEGER NOT NULL DEFAULT 0;
