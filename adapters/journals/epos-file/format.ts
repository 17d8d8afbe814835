// The EPOS roster export an authority uploads (ЭПОС has no public roster API): JSON Lines, UTF-8,
// one object per line with a `type`; every line names its school. See README.md for an example.
import { z } from 'zod';
import { isoDateFrom } from '../dates.js';

const id = z.string().min(1);
const date = z.string().refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && isoDateFrom(v) === v, 'YYYY-MM-DD, a real date');
export const eposLineSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('school'), id, name: z.string().min(1) }),
  z.object({ type: z.literal('class'), school_id: id, id, name: z.string().min(1), grade: z.number().int().min(0).max(12).nullish() }),
  z.object({ type: z.literal('subject'), school_id: id, id, name: z.string().min(1) }),
  z.object({
    type: z.literal('person'), school_id: id, id, last_name: z.string().min(1), first_name: z.string().min(1),
    middle_name: z.string().nullish(), birth_date: date.nullish(), phone: z.string().nullish(), email: z.string().nullish(),
  }),
  z.object({ type: z.literal('enrollment'), school_id: id, student_id: id, class_id: id, status: z.enum(['active', 'expelled']) }),
  z.object({ type: z.literal('staff'), school_id: id, person_id: id, role: z.enum(['teacher', 'staff', 'admin']), status: z.enum(['employed', 'dismissed']) }),
  z.object({ type: z.literal('teaching'), school_id: id, teacher_id: id, subject_id: id, class_id: id }),
  z.object({ type: z.literal('class_teacher'), school_id: id, class_id: id, teacher_id: id }),
  z.object({ type: z.literal('guardian'), school_id: id, parent_id: id, child_id: id }),
]);
export type EposLine = z.infer<typeof eposLineSchema>;
