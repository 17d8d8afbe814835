-- Up Migration
-- R-G3: at most two confirmed parents per child, held by the database whatever a workflow does (the
-- guardian workflow's validator is the first line; this is the last). The child's people row is locked
-- first, so two parents confirming at the same moment are counted one after the other.
CREATE FUNCTION guardianships_two_parents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM people WHERE id = NEW.child_id FOR UPDATE;
  IF EXISTS (SELECT 1 FROM guardianships WHERE child_id = NEW.child_id AND parent_id = NEW.parent_id) THEN
    RETURN NEW; -- the same parent again: ON CONFLICT decides
  END IF;
  IF (SELECT count(*) FROM guardianships WHERE child_id = NEW.child_id) >= 2 THEN
    RAISE EXCEPTION 'a child has at most two confirmed parents (R-G3)'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'guardianships_two_parents';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER guardianships_two_parents BEFORE INSERT ON guardianships
  FOR EACH ROW EXECUTE FUNCTION guardianships_two_parents();

-- Down Migration
DROP TRIGGER guardianships_two_parents ON guardianships;
DROP FUNCTION guardianships_two_parents();
